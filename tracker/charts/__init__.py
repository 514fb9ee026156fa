"""Charts: plain data in, SVG or PNG bytes out.

Built on :class:`matplotlib.figure.Figure` with the Agg canvas, never pyplot, so a
chart holds no global state and is safe in a threaded web server (see matplotlib's
``web_application_server_sgskip`` example). Nothing here imports Flask or the database.
"""
from .graph import GraphLink, GraphNode, Layout, dependency_graph, find_cycles, layout
from .history import HistorySeries, history_chart

__all__ = [
    "GraphLink",
    "GraphNode",
    "HistorySeries",
    "Layout",
    "dependency_graph",
    "find_cycles",
    "history_chart",
    "layout",
]
