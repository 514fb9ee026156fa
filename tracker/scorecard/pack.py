"""The review pack for the feedback meeting as a PDF: WeasyPrint over the app's own templates.

:func:`render_review_pack` is called by the dashboard's button and by ``flask review-pack``.
Charts are embedded as PNG data URIs (drawn by :mod:`tracker.charts`, DejaVu Sans, so
Cyrillic renders); the page text uses DejaVu Sans too.
"""
from __future__ import annotations

import base64
from datetime import date

from flask import render_template
from flask_babel import force_locale

from ..charts import dependency_graph
from ..charts.trends import trend_chart
from ..dashboard import queries as dashboard_queries
from ..services import review_pack as pack_service
from .charts import chart_words, company_trend_panels, heatmap_chart_of
from .forms import METRIC_LABELS

__all__ = ["HEATMAP_MOST", "render_review_pack", "review_pack_html"]

#: Above this many departments the supplier × customer heatmap is not drawn in the pack: its cells and
#: labels would be smaller than the print can show (0.17 in a row), and drawing 2 × N labels was the
#: slowest part of the pack (3.4 s of 11 at 200 departments). The pack points to the web heatmap instead.
HEATMAP_MOST = 80

#: The longest side of a chart in the pack, in pixels: a page's 165 mm at ~300 dpi. At 110 dpi the
#: 200-department graph was 1210 × 4937 px shown 165 mm tall (~760 dpi), and WeasyPrint spent
#: seconds decoding and re-compressing pixels no printer shows.
CHART_MAX_PX = 2000


def review_pack_html(period, *, lang: str = "en", today: date | None = None) -> str:
    """The pack as one HTML document in ``lang`` (``en`` or ``ru``); needs an app context.

    Raises
    ------
    LookupError
        ``period`` is a label no period has.
    """
    with force_locale(lang):
        pack = pack_service.review_pack(period, today=today)
        pa = pack.analysis
        nodes, links = dashboard_queries.graph_data(pa)
        graph = dependency_graph(nodes, links, target=pa.target, floor=pa.floor, fmt="png",
                                 labels=dashboard_queries.graph_labels(), max_px=CHART_MAX_PX)
        trend = trend_chart([p.period for p in pack.trend], company_trend_panels(pack.trend, pa.target, pa.floor),
                            fmt="png", labels=chart_words())
        departments = len(pa.departments)
        heat = (heatmap_chart_of(pack.period, fmt="png", url=False, max_px=CHART_MAX_PX)
                if departments <= HEATMAP_MOST else None)
        return render_template(
            "scorecard/pack.html", pack=pack, pa=pa, lang=lang, today=today or date.today(),
            graph=_data_uri(graph), trend=_data_uri(trend), heatmap=heat and _data_uri(heat), labels=METRIC_LABELS,
            metrics=list(METRIC_LABELS), departments=departments,
        )


def render_review_pack(period, *, lang: str = "en", today: date | None = None) -> bytes:
    """The review pack of ``period`` as PDF bytes (see :func:`review_pack_html`)."""
    from weasyprint import HTML

    html = review_pack_html(period, lang=lang, today=today)
    return HTML(string=html, base_url=None).write_pdf()


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
