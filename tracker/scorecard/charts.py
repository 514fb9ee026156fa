"""Charts of the scorecard area built from the services' figures: shared by the pages, the
dashboard's department page and the review pack. The drawing itself is in :mod:`tracker.charts.trends`."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from .. import formatting
from ..analysis.bands import figure_band
from ..charts.trends import HeatCell, Panel, TrendSeries, heatmap_chart, trend_chart
from ..services import analysis as analysis_service
from ..services import scorecard as scorecard_service


def chart_words() -> dict[str, str]:
    return {"target": _("target"), "floor": _("floor"), "no_data": _("No data yet"), "supplier": _("Supplier"),
            "customer": _("Customer"), "good": _("at or above target"), "warn": _("below target"),
            "bad": _("below floor"), "none": _("unrated"), "empty": _("No agreements in this period")}


def company_trend_panels(points, target: float, floor: float) -> list[Panel]:
    """The company trend's four panels (shared by the page and the review pack)."""
    return [
        Panel(_("Weak links"), [TrendSeries(_("critical"), [p.critical for p in points]),
                                TrendSeries(_("all weak links"), [p.weak for p in points])], "count"),
        Panel(_("Mean health of agreements (points)"), [TrendSeries(_("mean health"), [p.mean_health for p in points])],
              "points", target, floor),
        Panel(_("Internal NPS"), [TrendSeries(_("internal NPS"), [p.nps for p in points],
                                              [f"N={p.nps_responses}" if p.nps_responses else None for p in points])],
              "nps"),
        Panel(_("Response rate"), [TrendSeries(_("response rate"), [None if p.response_rate is None else
                                                                    p.response_rate * 100 for p in points])],
              "percent"),
    ]


def department_trend_chart(code: str, period, fmt: str = "svg") -> bytes:
    """Four panels, each on its own axis: chain strength, health of what ``code`` supplies, its internal NPS
    with N, health of what it receives."""
    points = scorecard_service.department_trend(code, period)
    pa = analysis_service.period_analysis(period)
    panels = [
        Panel(_("Chain strength to the external customer (points)"),
              [TrendSeries(_("chain strength"), [p.chain_strength for p in points])], "points", pa.target, pa.floor),
        Panel(_("As supplier: health of what it gives (points)"),
              [TrendSeries(_("mean health given"), [p.given for p in points])], "points", pa.target, pa.floor),
        Panel(_("As supplier: internal NPS"),
              [TrendSeries(_("internal NPS"), [p.nps for p in points],
                           [f"N={p.nps_responses}" if p.nps_responses else None for p in points])], "nps"),
        Panel(_("As customer: health of what it gets (points)"),
              [TrendSeries(_("mean health received"), [p.received for p in points])], "points", pa.target, pa.floor),
    ]
    return trend_chart([p.period for p in points], panels, fmt=fmt, labels=chart_words(), columns=2, title=code)


def heatmap_chart_of(period, fmt: str = "svg", url=True, max_px: int | None = None) -> bytes:
    """Draw the heatmap of ``period`` (shared by the page and the review pack); ``max_px`` caps a PNG's side."""
    pa, suppliers, customers, pairs = scorecard_service.heatmap(period)
    cells = {}
    for (s, c), figures in pairs.items():
        health = pa.link_health.get((s, c))
        rated = [cf for cf in figures if cf.health is not None]
        worst = min(rated, key=lambda cf: cf.health) if rated else figures[0]
        title = "; ".join(f"{cf.contract.service}: {'—' if cf.health is None else formatting.points(cf.health)}"
                          for cf in figures)
        cells[(s, c)] = HeatCell(health, url_for("dashboard.contract", contract_id=worst.contract.id,
                                                 period=period.label) if url else "", f"{s} → {c} — {title}",
                            figure_band(worst))
    return heatmap_chart(suppliers, customers, cells, target=pa.target, floor=pa.floor, fmt=fmt, max_px=max_px,
                         labels=chart_words(), title=_("Agreement health — %(period)s", period=period.label))
