"""Shared pieces of every chart: fonts, band colours, rendering to bytes, SVG post-processing."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tracker.analysis import bands as _bands

SVG_NS = "http://www.w3.org/2000/svg"
# What XML 1.0 cannot carry (its Char production); the SVG must stay well-formed whatever the names hold.
# charts/ imports nothing of the app, so the pattern of tracker.text.NOT_XML is repeated here.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

#: DejaVu Sans ships with matplotlib and covers Latin and Cyrillic.
FONT = "DejaVu Sans"

#: Health band colours live with the band rule (``tracker.analysis.bands``).
BAND_COLOURS = _bands.BAND_COLOURS
INK = "#263238"
MUTED = "#607d8b"
EXTERNAL_FILL = "#1f3a68"


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` × ``height`` inches with the Agg canvas attached."""
    fig = Figure(figsize=(width, height), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    return fig


def render(fig: Figure, fmt: str, dpi: int = 110, max_px: int | None = None) -> bytes:
    """The figure as ``svg`` or ``png`` bytes; a PNG's longer side is at most ``max_px`` pixels
    when given (lower resolution, same drawing). Raises ValueError for another format."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"unknown chart format {fmt!r}; use 'svg' or 'png'")
    if max_px and fmt == "png":
        dpi = min(dpi, max_px / max(fig.get_figwidth(), fig.get_figheight()))
    buf = io.BytesIO()
    # Fixed ids: matplotlib otherwise salts clip-path ids at random, and every render differs.
    with matplotlib.rc_context({"svg.hashsalt": "tracker", "svg.id": "chart"}):
        # PNG at zlib level 1: level 6 (Pillow's default) spent ~1 s compressing the review pack's
        # three charts at 200 departments for a file a few per cent smaller.
        extra = {"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}
        fig.savefig(buf, format=fmt, dpi=dpi, facecolor=fig.get_facecolor(), metadata=_metadata(fmt), **extra)
    return buf.getvalue()


def _metadata(fmt: str) -> dict:
    # No date in the SVG: the same data gives the same bytes (cacheable, testable).
    return {"Date": None} if fmt == "svg" else {}


def finish_svg(data: bytes, titles: dict[str, str], description: str = "") -> bytes:
    """Add ``<title>`` tooltips to the groups whose id is a key of ``titles`` and ``target="_top"``
    to every link, so that a link followed inside an ``<object>`` opens in the whole window.

    ElementTree re-serializes the document, escaping every text and attribute value.
    """
    # ElementTree's prefixes are process-wide and WeasyPrint maps '' to no namespace when it is
    # imported (the review pack): claim the default prefix again, or every tag comes out as ns0:svg.
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(data)
    # Scale to whatever box embeds the chart; the viewBox keeps the proportions.
    root.set("width", "100%")
    root.set("height", "100%")
    if description:
        title = ET.Element(f"{{{SVG_NS}}}title")
        title.text = _NOT_XML.sub("", description)
        root.insert(0, title)
    for element in root.iter():
        if element.tag == f"{{{SVG_NS}}}a":
            element.set("target", "_top")
        gid = element.get("id")
        if gid in titles:
            title = ET.Element(f"{{{SVG_NS}}}title")
            title.text = _NOT_XML.sub("", titles[gid])
            # inside the link when there is one: the tooltip then also names the link
            link = element.find(f".//{{{SVG_NS}}}a")
            (link if link is not None else element).insert(0, title)
    return b'<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                                      xml_declaration=False)
