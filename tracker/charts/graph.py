"""The dependency graph: departments as boxes, links as arrows, work flowing left to right.

Layout (a small Sugiyama-style drawing, see :func:`layout`):

* **Columns.** The external customers stand in the rightmost column (layer 0). Every other
  department's layer is its *longest* distance, in links, to an external customer, so that
  every supplier stands strictly left of all its customers and a chain reads left to right
  in the order the work is done. (The shortest distance would put a supplier and its
  customer in one column whenever a shortcut exists — IT → WH → LOG and IT → LOG — and
  the arrow would run vertically.) Longest distance needs an acyclic graph: inside a
  cycle, the link that leads *away* from the customer (to a member whose shortest
  distance is larger, ties by code) is a back link; it is still drawn, curved, and the
  cycle is named in a note ("Cycle: HR ⇄ FIN").
* **Cut off.** Departments with no path to an external customer are drawn in a band below
  the main drawing, with a note, laid out by the same rule against the sinks of the band.
* **Rows.** Within a column, nodes are ordered by a few barycenter sweeps (the mean row of
  their neighbours), which removes most crossings on real organizations.

Encodings: link colour = health band (≥ target green "good", floor–target amber
"warning", < floor red "critical", unrated grey dashed), stale health dashed, width =
criticality, weak links carry their rank in a small circle (the top ten); a department's
fill = its chain strength band; external customers are dark squares. Each node and link
is wrapped in a link to its page and has a tooltip with its full name.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, PathPatch
from matplotlib.path import Path

from tracker.analysis import BAND_COLOURS, round_half_away
from tracker.analysis.bands import NONE, band

from ._common import EXTERNAL_FILL, FONT, INK, MUTED, finish_svg, new_figure, render

__all__ = ["GraphNode", "GraphLink", "Layout", "layout", "find_cycles", "dependency_graph", "link_band",
           "link_state_of"]

EXTERNAL = "external"
#: Weak links ranked at most this are numbered on the drawing.
RANKS_SHOWN = 10
#: Above this many departments in one column, codes are left out (tooltips keep them).
MAX_LABELLED_ROWS = 70
#: Type size (points) of every label: at least 10 px wherever the picture is shown at its
#: natural size (1 pt = 1.33 px) or as a PNG (110 dpi: 1 pt = 1.5 px).
FONT_SIZE = 9.5

# Geometry in inches: one data unit is one inch on both axes, so arrow arithmetic is simple.
COL_GAP = 1.4
ROW_GAP = 0.66
MARGIN = 0.6
LEGEND_HEIGHT = 1.05
NOTE_LINE = 0.26


@dataclass(frozen=True)
class GraphNode:
    """A department to draw: ``strength`` is its chain strength (points 0–100) or None."""

    code: str
    name: str
    kind: str = "internal"
    strength: float | None = None
    cut_off: bool = False
    url: str | None = None
    #: The worst band of the agreements it supplies (its own links); None: none drawn.
    own_band: str | None = None
    #: ``"WH → LOG 45"``: the link that sets its chain strength, for the tooltip.
    bottleneck: str = ""


@dataclass(frozen=True)
class GraphLink:
    """A supplier → customer link: ``health`` is the link health (points 0–100) or None (unrated);
    ``criticality`` 1–3; ``rank`` the best weak-link rank among its contracts, or None;
    ``band`` the colour's band from :func:`tracker.analysis.band` (None: banded by the
    chart's target and floor); ``last_health``/``last_period`` for a link unrated now that
    was rated before (drawn dotted, "silent")."""

    supplier: str
    customer: str
    health: float | None = None
    stale: bool = False
    criticality: int = 2
    rank: int | None = None
    url: str | None = None
    title: str = ""
    band: str | None = None
    last_health: float | None = None
    last_period: str | None = None


@dataclass
class Layout:
    """Where each node goes: ``layer`` (0 = external customers, rightmost), ``row`` within the
    column, ``cut_off`` nodes in the lower band; ``back_links`` are the cycle links drawn
    against the flow; ``positions`` are (x, y) in inches."""

    layer: dict[str, int]
    row: dict[str, int]
    cut_off: set[str]
    back_links: set[tuple[str, str]]
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    n_layers: int = 1
    row_gap: float = 0.62
    band_top: float | None = None


def find_cycles(links: list[tuple[str, str]]) -> list[list[str]]:
    """One cycle per strongly connected group of departments, as a list of codes in link order
    (the first code not repeated), groups sorted by their smallest code. Linear in the size of
    the graph: never enumerates all cycles."""
    G = nx.DiGraph(links)
    cycles = []
    for component in nx.strongly_connected_components(G):
        if len(component) < 2:
            continue
        sub = G.subgraph(component)
        start = min(component)
        cycle = [u for u, _v in nx.find_cycle(sub, source=start)]
        # rotate so the reading starts at the smallest code
        i = cycle.index(min(cycle))
        cycles.append(cycle[i:] + cycle[:i])
    return sorted(cycles, key=lambda c: c[0])


def cycle_label(cycle: list[str]) -> str:
    """``HR ⇄ FIN`` for two departments, ``A → B → C → A`` for more."""
    if len(cycle) == 2:
        return f"{cycle[0]} ⇄ {cycle[1]}"
    return " → ".join(cycle + [cycle[0]])


def layout(nodes: list[GraphNode], links: list[GraphLink], sweeps: int = 4) -> Layout:
    """Assign each node a column (layer) and a row; see the module docstring for the rules."""
    G = nx.DiGraph()
    G.add_nodes_from(n.code for n in nodes)
    G.add_edges_from((lk.supplier, lk.customer) for lk in links if lk.supplier in G and lk.customer in G)
    externals = {n.code for n in nodes if n.kind == EXTERNAL}

    reaching = set(externals)
    R = G.reverse(copy=False)
    for ext in externals:
        reaching |= nx.descendants(R, ext)
    main = G.subgraph(reaching)
    rest = G.subgraph(set(G) - reaching)

    layer: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    _longest_to_sinks(main, externals, layer, back, base=0)
    rest_sinks = {n for n in rest if rest.out_degree(n) == 0}
    rest_layer: dict[str, int] = {}
    _longest_to_sinks(rest, rest_sinks, rest_layer, back, base=1)
    layer.update(rest_layer)

    n_layers = max(layer.values(), default=0) + 1
    rows = _order_rows(main, layer, sweeps) | _order_rows(rest, layer, sweeps)
    result = Layout(layer=layer, row=rows, cut_off=set(rest), back_links=back, n_layers=n_layers)
    _place(result, main, rest)
    return result


def _longest_to_sinks(G: nx.DiGraph, sinks: set[str], layer: dict[str, int], back: set, base: int) -> None:
    """Layer = longest distance to ``sinks`` over the graph without its back links."""
    if not len(G):
        return
    # shortest distance to a sink decides which link of a cycle runs "backwards"
    dist = {}
    R = G.reverse(copy=False)
    frontier = sorted(sinks)
    for s in frontier:
        dist[s] = 0
    while frontier:
        nxt = []
        for v in frontier:
            for u in sorted(R.successors(v)):
                if u not in dist:
                    dist[u] = dist[v] + 1
                    nxt.append(u)
        frontier = nxt
    component = {}
    for i, comp in enumerate(nx.strongly_connected_components(G)):
        for n in comp:
            component[n] = i
    key = {n: (dist.get(n, math.inf), n) for n in G}
    dag = nx.DiGraph()
    dag.add_nodes_from(G)
    for u, v in G.edges():
        if component[u] == component[v] and key[u] < key[v]:
            back.add((u, v))
        elif v not in sinks or u not in sinks:
            dag.add_edge(u, v)
    for n in reversed(list(nx.topological_sort(dag))):
        if n in sinks:
            layer[n] = 0 if base == 0 else base
            continue
        succ = [layer[v] for v in dag.successors(n)]
        layer[n] = (max(succ) + 1) if succ else base


def _order_rows(G: nx.DiGraph, layer: dict[str, int], sweeps: int) -> dict[str, int]:
    """Order the nodes of each column by barycenter sweeps to reduce crossings."""
    columns: dict[int, list[str]] = defaultdict(list)
    for n in sorted(G):
        columns[layer[n]].append(n)
    if not columns:
        return {}
    # start from a depth-first order from the customers, which keeps chains together
    seen: dict[str, int] = {}
    R = G.reverse(copy=False)
    roots = sorted(columns[min(columns)])
    for root in roots:
        for n in nx.dfs_preorder_nodes(R, root, sort_neighbors=sorted):
            seen.setdefault(n, len(seen))
    for col in columns.values():
        col.sort(key=lambda n: (seen.get(n, len(seen)), n))

    def rel(n: str) -> float:
        col = columns[layer[n]]
        return (col.index(n) + 0.5) / len(col)

    order = sorted(columns)
    for sweep in range(sweeps):
        # right to left (customers placed), then left to right (suppliers placed)
        seq = order if sweep % 2 == 0 else list(reversed(order))
        for lay in seq:
            col = columns[lay]
            pos = {n: rel(n) for n in G}
            def bary(n: str) -> float:
                nbrs = [m for m in list(G.successors(n)) + list(G.predecessors(n)) if layer[m] != lay]
                return sum(pos[m] for m in nbrs) / len(nbrs) if nbrs else pos[n]
            col.sort(key=lambda n: (bary(n), pos[n]))
    return {n: i for col in columns.values() for i, n in enumerate(col)}


def _place(result: Layout, main: nx.DiGraph, rest: nx.DiGraph) -> None:
    """Turn layers and rows into (x, y) inches; the cut-off band goes below the main drawing."""
    n_layers = result.n_layers

    def x_of(n: str) -> float:
        return MARGIN + 0.7 + (n_layers - 1 - result.layer[n]) * COL_GAP

    def column_sizes(G: nx.DiGraph) -> dict[int, int]:
        sizes: dict[int, int] = defaultdict(int)
        for n in G:
            sizes[result.layer[n]] += 1
        return sizes

    main_sizes = column_sizes(main)
    main_height = max(main_sizes.values(), default=1)
    # few departments per column: more air between rows, so curved links can pass
    result.row_gap = ROW_GAP * (1.5 if main_height <= 4 else 1.25 if main_height <= 8 else 1.0)
    gap = result.row_gap
    for n in main:
        size = main_sizes[result.layer[n]]
        # centre each column on the tallest one
        y = -(result.row[n] + (main_height - size) / 2) * gap
        result.positions[n] = (x_of(n), y)
    if len(rest):
        top = -(main_height - 1) * gap - 1.1
        result.band_top = top + 0.55
        for n in rest:
            result.positions[n] = (x_of(n), top - result.row[n] * ROW_GAP)


def _node_box(code: str, fontsize: float) -> tuple[float, float]:
    """Width and height (inches) of a department's box for its code label."""
    width = max(0.55, 0.095 * fontsize / 9 * len(code) * 6.2 / 6 + 0.28)
    return min(width, COL_GAP - 0.45), 0.34


def dependency_graph(nodes: list[GraphNode], links: list[GraphLink], *, target: float = 75.0,
                     floor: float = 50.0, cycles: list[list[str]] | None = None, fmt: str = "svg",
                     title: str = "", labels: dict[str, str] | None = None, max_px: int | None = None) -> bytes:
    """Draw the dependency graph and return ``svg`` or ``png`` bytes (the public drawing:
    the dashboard, the PNG download and the review pack all call this).

    ``nodes`` and ``links`` are plain records (see :class:`GraphNode`, :class:`GraphLink`);
    links naming an unknown department are ignored. A link is coloured by its ``band``
    (from :func:`tracker.analysis.band`, with the agreement's own target and floor);
    ``target``/``floor`` (points) band a link without one and the departments' chain
    strength, and are written in the legend. ``cycles`` (lists of codes) are named in a
    note; None finds them with :func:`find_cycles`. ``labels`` translates the legend and
    note words (keys as in :data:`DEFAULT_LABELS`). In SVG every node and link is an ``<a>``
    to its ``url`` with ``target="_top"`` and a ``<title>`` tooltip. With no link to draw,
    the picture says so (``labels["no_data"]``) instead of showing an empty frame.
    ``max_px`` caps a PNG's longer side in pixels (the review pack: a 200-department graph is
    ~45 inches tall and drawn on one page). The same input gives the same bytes. Raises
    ValueError for an unknown ``fmt``.
    """
    if fmt not in ("svg", "png"):
        raise ValueError(f"unknown chart format {fmt!r}; use 'svg' or 'png'")
    words = dict(DEFAULT_LABELS)
    words.update(labels or {})
    codes = {n.code for n in nodes}
    links = [lk for lk in links if lk.supplier in codes and lk.customer in codes and lk.supplier != lk.customer]
    if not links:
        return _no_data(fmt, title, words)
    if cycles is None:
        cycles = find_cycles([(lk.supplier, lk.customer) for lk in links])
    return _draw(list(nodes), links, float(target), float(floor), [list(c) for c in cycles], fmt, title, words,
                 max_px)


@dataclass
class _Canvas:
    """A figure being drawn: its axes, the tooltips collected by element id, the words."""

    fig: object
    ax: object
    titles: dict[str, str]
    words: dict[str, str]
    height: float


def _draw(nodes: list[GraphNode], links: list[GraphLink], target: float, floor: float,
          cycles: list[list[str]], fmt: str, title: str, words: dict[str, str], max_px: int | None = None) -> bytes:
    """Lay out, draw frame, nodes, links and legend, and render; see :func:`dependency_graph`."""
    lay = layout(nodes, links)
    notes = [words["cycle"] + ": " + cycle_label(c) for c in cycles]
    canvas, extent = _frame(lay, notes, title, words)
    _captions(canvas, lay, nodes, notes, title, extent)
    show_labels = _tallest_column(lay, nodes) <= MAX_LABELLED_ROWS
    sizes = _draw_nodes(canvas, lay, nodes, target, floor, show_labels)
    for j, lk in enumerate(sorted(links, key=lambda lk: (lk.supplier, lk.customer))):
        _draw_link(canvas, lay, sizes, j, lk, target, floor)
    _legend(canvas.fig, canvas.height, target, floor, words)
    data = render(canvas.fig, fmt, max_px=max_px)
    if fmt == "svg":
        data = finish_svg(data, canvas.titles, title or words["graph_title"])
    return data


def _tallest_column(lay: Layout, nodes: list[GraphNode]) -> int:
    rows_per_col: dict[tuple[int, bool], int] = defaultdict(int)
    for n in nodes:
        rows_per_col[(lay.layer[n.code], n.code in lay.cut_off)] += 1
    return max(rows_per_col.values(), default=1)


def _frame(lay: Layout, notes: list[str], title: str, words: dict[str, str]):
    """The figure and its axes sized to the layout (inches), with room for title, notes and legend."""
    xs = [p[0] for p in lay.positions.values()] or [0.0]
    ys = [p[1] for p in lay.positions.values()] or [0.0]
    x0, x1 = 0.0, max(max(xs) + 0.7 + MARGIN, 8.0)
    header = 1.0 + NOTE_LINE * len(notes) + (0.45 if title else 0)
    y1 = max(ys) + header
    y0 = min(ys) - 0.6
    graph_height = y1 - y0
    height = graph_height + LEGEND_HEIGHT
    fig = new_figure(x1 - x0, height)
    ax = fig.add_axes((0, LEGEND_HEIGHT / height, 1, graph_height / height))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_axis_off()
    ax.set_autoscale_on(False)
    return _Canvas(fig, ax, {}, words, height), (x0, x1, y1, max(ys))


def _captions(canvas: _Canvas, lay: Layout, nodes: list[GraphNode], notes: list[str], title: str,
              extent) -> None:
    """Title, cycle notes, the external column's caption, the flow arrow and the cut-off band."""
    ax, words, titles = canvas.ax, canvas.words, canvas.titles
    x0, x1, y1, top_y = extent
    top_text = top_y + 0.45
    if title:
        ax.text(MARGIN, y1 - 0.3, title, fontsize=14, fontweight="bold", color=INK, family=FONT, va="center")
    for i, note in enumerate(notes):
        text = ax.text(MARGIN, y1 - 0.3 - (0.45 if title else 0) - i * NOTE_LINE, "↻ " + note, fontsize=FONT_SIZE,
                       color="#6a1b9a", family=FONT, va="center")
        text.set_gid(f"note-{i}")
        titles[f"note-{i}"] = note
    ext_x = MARGIN + 0.7 + (lay.n_layers - 1) * COL_GAP
    if any(n.kind == EXTERNAL for n in nodes):
        ax.text(ext_x, top_text, words["external_column"], fontsize=FONT_SIZE, color=MUTED, family=FONT,
                ha="center", va="bottom", style="italic")
        if lay.n_layers > 1:
            ax.annotate("", xy=(ext_x - COL_GAP * 0.6, top_text + 0.1), xytext=(MARGIN + 0.2, top_text + 0.1),
                        arrowprops=dict(arrowstyle="->", color="#b0bec5", lw=1))
            ax.text(MARGIN + 0.25, top_text + 0.15, words["flow"], fontsize=FONT_SIZE, color=MUTED, family=FONT,
                    va="bottom", style="italic")
    if lay.band_top is not None:
        by_code = {n.code: n for n in nodes}
        ax.plot([x0 + 0.2, x1 - 0.2], [lay.band_top, lay.band_top], color="#b0bec5", lw=1, ls=(0, (4, 3)))
        cut = sorted(c for c in lay.cut_off if by_code[c].kind != EXTERNAL)
        text = ax.text(MARGIN, lay.band_top - 0.2, "⚠ " + words["cut_off_note"], fontsize=FONT_SIZE,
                       color="#b71c1c", family=FONT, va="center")
        text.set_gid("note-cut-off")
        titles["note-cut-off"] = words["cut_off_note"] + (": " + ", ".join(cut) if cut else "")


def _draw_nodes(canvas: _Canvas, lay: Layout, nodes: list[GraphNode], target: float, floor: float,
                show_labels: bool) -> dict[str, tuple[float, float]]:
    """Each department as a box: fill = its own links' worst band, border = its chain strength band.
    Returns the box sizes (inches) by code; the link geometry needs them."""
    sizes: dict[str, tuple[float, float]] = {}
    for i, node in enumerate(sorted(nodes, key=lambda n: n.code)):
        x, y = lay.positions[node.code]
        w, h = _node_box(node.code, FONT_SIZE) if show_labels else (0.22, 0.22)
        if node.kind == EXTERNAL:
            style, fc, ec, tc, lw = "round,pad=0,rounding_size=0.04", EXTERNAL_FILL, EXTERNAL_FILL, "white", 1.3
            h = h + 0.08
        else:
            own = node.own_band or NONE
            strength = band(node.strength, target, floor)
            style = "round,pad=0,rounding_size=0.17" if show_labels else "circle,pad=0"
            fc, ec, tc, lw = BAND_COLOURS[own][1], BAND_COLOURS[strength][0], INK, 2.6
        sizes[node.code] = (w, h)
        box = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=style, fc=fc, ec=ec,
                             lw=lw, ls="--" if node.cut_off else "-", zorder=3)
        gid = f"node-{i}"
        box.set_gid(gid)
        if node.url:
            box.set_url(node.url)
        canvas.ax.add_artist(box)
        canvas.titles[gid] = _node_title(node, canvas.words)
        if show_labels:
            text = canvas.ax.text(x, y, node.code, ha="center", va="center", fontsize=FONT_SIZE, color=tc,
                                  fontweight="bold", family=FONT, zorder=4)
            text.set_gid(f"node-{i}-label")
            canvas.titles[f"node-{i}-label"] = canvas.titles[gid]
            if node.url:
                text.set_url(node.url)
    return sizes


def _draw_link(canvas: _Canvas, lay: Layout, sizes: dict[str, tuple[float, float]], j: int, lk: GraphLink,
               target: float, floor: float) -> None:
    """One link: a curve coloured by its band, dashed when stale, dotted grey when silent or
    unrated; weak links on top with their rank in a circle."""
    ax = canvas.ax
    colour = BAND_COLOURS[link_band(lk, target, floor)][0]
    state = link_state_of(lk)
    style = {"fresh": "-", "stale": (0, (5, 2.5)), "silent": (0, (1, 2)), "unrated": (0, (3, 3))}[state]
    is_back = (lk.supplier, lk.customer) in lay.back_links
    (xa, ya), (xb, yb) = lay.positions[lk.supplier], lay.positions[lk.customer]
    rad = _route(lay, (xa, ya), (xb, yb), is_back, sizes)
    # The curve is clipped at the boxes and the head drawn here, in closed form:
    # FancyArrowPatch bisects each curve against the boxes and costs seconds at 200 departments.
    body, head = _arrow_paths((xa, ya), (xb, yb), rad, sizes[lk.supplier], sizes[lk.customer],
                              0.05 + 0.025 * lk.criticality)
    on_top = 2 if lk.rank else 1
    arrow = PathPatch(body, fill=False, ec=colour, lw=_width(lk.criticality), alpha=0.95 if lk.rank else 0.8,
                      ls=style, capstyle="butt", zorder=on_top)
    tip = PathPatch(head, fc=colour, ec=colour, lw=0.5, zorder=on_top)
    gid = f"link-{j}"
    tip.set_gid(f"{gid}-head")
    arrow.set_gid(gid)
    for artist in (tip, arrow):
        if lk.url:
            artist.set_url(lk.url)
        ax.add_artist(artist)
    canvas.titles[gid] = lk.title or _link_title(lk, canvas.words)
    if lk.rank is not None and lk.rank <= RANKS_SHOWN:
        # the midpoint of the arc3 quadratic Bézier curve
        mx = (xa + xb) / 2 + rad * (yb - ya) / 2
        my = (ya + yb) / 2 - rad * (xb - xa) / 2
        marker = Circle((mx, my), 0.15, fc="white", ec=colour, lw=1.8, zorder=5)
        marker.set_gid(f"{gid}-rank")
        canvas.titles[f"{gid}-rank"] = canvas.titles[gid]
        if lk.url:
            marker.set_url(lk.url)
        ax.add_artist(marker)
        rank_text = ax.text(mx, my, str(lk.rank), ha="center", va="center", fontsize=FONT_SIZE, color=INK,
                            fontweight="bold", family=FONT, zorder=6)
        if lk.url:
            rank_text.set_url(lk.url)


def link_band(lk: GraphLink, target: float = 75.0, floor: float = 50.0) -> str:
    """The band a link is drawn in: its own ``band`` when given (the agreement's target and floor),
    else its health against ``target`` and ``floor``."""
    return lk.band if lk.band is not None else band(lk.health, target, floor)


def link_state_of(lk: GraphLink) -> str:
    """``fresh``, ``stale``, ``silent`` (unrated, rated before) or ``unrated``."""
    if lk.health is not None:
        return "stale" if lk.stale else "fresh"
    return "silent" if lk.last_health is not None else "unrated"


def _no_data(fmt: str, title: str, words: dict[str, str]) -> bytes:
    """A small picture that says there is nothing to draw, instead of an empty frame."""
    fig = new_figure(8.0, 1.6)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    if title:
        ax.text(0.04, 0.78, title, fontsize=14, fontweight="bold", color=INK, family=FONT, va="center")
    ax.text(0.5, 0.4, words["no_data"], fontsize=12, color=MUTED, family=FONT, ha="center", va="center")
    data = render(fig, fmt)
    if fmt == "svg":
        data = finish_svg(data, {}, title or words["graph_title"])
    return data


def _route(lay: Layout, a: tuple[float, float], b: tuple[float, float], is_back: bool,
           sizes: dict[str, tuple[float, float]]) -> float:
    """The arc3 curvature for a link from ``a`` to ``b``: a slight bend, or the smallest bend
    that keeps a long link (and its rank marker) off the boxes of the columns it crosses."""
    (xa, ya), (xb, yb) = a, b
    if is_back:
        return 0.45
    lo, hi = min(xa, xb), max(xa, xb)
    same_col = hi - lo < 1e-6
    obstacles = [(lay.positions[n], sizes[n]) for n in sizes
                 if (lo + 0.3 < lay.positions[n][0] < hi - 0.3) or (same_col and abs(lay.positions[n][0] - lo) < 1e-6
                                                                  and min(ya, yb) < lay.positions[n][1] < max(ya, yb))]
    if same_col:
        candidates = (0.3, -0.3, 0.45, -0.45)
    else:
        # the same bulge (inches off the straight line) whatever the link's length
        length = math.hypot(xb - xa, yb - ya) or 1.0
        candidates = tuple(2 * bulge / length for bulge in (0.08, -0.08, 0.25, -0.25, 0.45, -0.45, 0.7, -0.7,
                                                           1.0, -1.0))
    reach_y = max(abs(r) for r in candidates) * abs(xb - xa) + 0.5
    top, bottom = max(ya, yb) + reach_y, min(ya, yb) - reach_y
    obstacles = [o for o in obstacles if bottom < o[0][1] < top]
    if not obstacles:
        return candidates[0]
    best, best_hits = candidates[0], math.inf
    for rad in candidates:
        cx = (xa + xb) / 2 + rad * (yb - ya)
        cy = (ya + yb) / 2 - rad * (xb - xa)
        hits = 0
        for k in range(1, 20):
            t = k / 20
            px = (1 - t) ** 2 * xa + 2 * (1 - t) * t * cx + t * t * xb
            py = (1 - t) ** 2 * ya + 2 * (1 - t) * t * cy + t * t * yb
            pad = 0.2 if k == 10 else 0.08  # the rank marker sits at the middle
            hits += sum(1 for (ox, oy), (w, h) in obstacles
                        if abs(px - ox) < w / 2 + pad and abs(py - oy) < h / 2 + pad)
        if hits < best_hits:
            best, best_hits = rad, hits
        if hits == 0:
            break
    return best


def _bezier(p0, c, p1, t):
    """Point at ``t`` on the quadratic Bézier curve p0–c–p1."""
    u = 1 - t
    return (u * u * p0[0] + 2 * u * t * c[0] + t * t * p1[0], u * u * p0[1] + 2 * u * t * c[1] + t * t * p1[1])


def _exit_t(p0, c, p1, centre, size, from_start: bool) -> float:
    """The parameter where the curve leaves (or enters) the box of ``size`` around ``centre``."""
    w, h = size[0] / 2 + 0.03, size[1] / 2 + 0.03

    def inside(t: float) -> bool:
        x, y = _bezier(p0, c, p1, t)
        return abs(x - centre[0]) <= w and abs(y - centre[1]) <= h

    lo, hi = (0.0, 0.5) if from_start else (0.5, 1.0)
    for _ in range(14):
        mid = (lo + hi) / 2
        if inside(mid) == from_start:
            lo = mid
        else:
            hi = mid
    return lo if from_start else hi


def _arrow_paths(a, b, rad, size_a, size_b, head_len):
    """The link's curve (from box edge to the base of the head) and its arrow head, as Paths."""
    (xa, ya), (xb, yb) = a, b
    c = ((xa + xb) / 2 + rad * (yb - ya), (ya + yb) / 2 - rad * (xb - xa))
    t0 = _exit_t(a, c, b, a, size_a, True)
    t1 = _exit_t(a, c, b, b, size_b, False)
    tip = _bezier(a, c, b, t1)
    # direction at the tip: the derivative of the curve
    dx = 2 * (1 - t1) * (c[0] - xa) + 2 * t1 * (xb - c[0])
    dy = 2 * (1 - t1) * (c[1] - ya) + 2 * t1 * (yb - c[1])
    norm = math.hypot(dx, dy) or 1.0
    ux, uy = dx / norm, dy / norm
    base = (tip[0] - ux * head_len, tip[1] - uy * head_len)
    half = head_len * 0.45
    head = Path([tip, (base[0] - uy * half, base[1] + ux * half), (base[0] + uy * half, base[1] - ux * half), tip],
                [Path.MOVETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY])
    # sub-curve from t0 to the head's base, by de Casteljau: the control point of a
    # quadratic restricted to [t0, t2] is the intersection of the end tangents.
    t2 = max(t0, t1 - head_len / (norm or 1.0))
    p_start, p_end = _bezier(a, c, b, t0), _bezier(a, c, b, t2)
    ctrl = ((1 - t0) * ((1 - t2) * xa + t2 * c[0]) + t0 * ((1 - t2) * c[0] + t2 * xb),
            (1 - t0) * ((1 - t2) * ya + t2 * c[1]) + t0 * ((1 - t2) * c[1] + t2 * yb))
    body = Path([p_start, ctrl, p_end], [Path.MOVETO, Path.CURVE3, Path.CURVE3])
    return body, head


def _width(criticality: int) -> float:
    return {1: 1.0, 2: 2.0, 3: 3.4}.get(criticality, 2.0)


def _fmt(value: float | None, decimal: str = ".") -> str:
    """One decimal at most, with the reader's decimal sign (``labels["decimal"]``, e.g. "," in Russian)."""
    return "—" if value is None else f"{round_half_away(value, 1) + 0.0:g}".replace(".", decimal)


def _node_title(node: GraphNode, words: dict[str, str]) -> str:
    if node.kind == EXTERNAL:
        return f"{node.code} — {node.name} ({words['external']})"
    text = f"{node.code} — {node.name}: {words['strength']} {_fmt(node.strength, words['decimal'])}"
    if node.bottleneck:
        text += f" ({words['bottleneck']}: {node.bottleneck})"
    if node.cut_off:
        text += f" ({words['cut_off']})"
    return text


def _link_title(lk: GraphLink, words: dict[str, str]) -> str:
    text = f"{lk.supplier} → {lk.customer}: {words['health']} {_fmt(lk.health, words['decimal'])}"
    if lk.stale:
        text += f" ({words['stale']})"
    if lk.health is None and lk.last_health is not None:
        text += f" ({words['last_known']} {_fmt(lk.last_health, words['decimal'])}, {lk.last_period})"
    if lk.rank is not None:
        text += f", {words['weak_link']} #{lk.rank}"
    return text


def _legend(fig, height: float, target: float, floor: float, words: dict[str, str]) -> None:
    """Explain colours, dashes, widths and shapes in a band below the drawing."""
    t, f = _fmt(target, words["decimal"]), _fmt(floor, words["decimal"])
    g, w, b, n = (BAND_COLOURS[k][0] for k in ("good", "warn", "bad", "none"))
    handles = [
        Line2D([], [], color=g, lw=2.4, label=f"{words['good']} (≥ {t})"),
        Line2D([], [], color=w, lw=2.4, label=f"{words['warning']} ({f}–{t})"),
        Line2D([], [], color=b, lw=2.4, label=f"{words['critical']} (< {f})"),
        Line2D([], [], color=n, lw=2.4, ls=(0, (3, 3)), label=words["unrated"]),
        Line2D([], [], color=g, lw=2.4, ls=(0, (5, 2.5)), label=words["stale_legend"]),
        Line2D([], [], color=n, lw=2.4, ls=(0, (1, 2)), label=words["silent_legend"]),
        Line2D([], [], ls="", marker="o", ms=12, mfc="white", mec=b, mew=1.8, label=words["rank_legend"]),
        Line2D([], [], color=INK, lw=_width(1), label=words["crit_low"]),
        Line2D([], [], color=INK, lw=_width(2), label=words["crit_medium"]),
        Line2D([], [], color=INK, lw=_width(3), label=words["crit_high"]),
        Line2D([], [], ls="", marker="o", ms=12, mfc=BAND_COLOURS["good"][1], mec=b, mew=2.6,
               label=words["dept_legend"]),
        Line2D([], [], ls="", marker="s", ms=12, mfc=EXTERNAL_FILL, mec=EXTERNAL_FILL, label=words["external"]),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=FONT_SIZE,
               prop={"family": FONT, "size": FONT_SIZE}, bbox_to_anchor=(0.5, 0.02 / height), handlelength=2.6,
               columnspacing=1.6)


DEFAULT_LABELS = {
    "decimal": ".",
    "graph_title": "Dependency graph",
    "cycle": "Cycle",
    "flow": "work flows toward the external customer",
    "external_column": "External customers",
    "cut_off_note": "Cut off: no path to an external customer",
    "external": "external customer",
    "strength": "chain strength",
    "bottleneck": "bottleneck",
    "cut_off": "cut off from the customer",
    "health": "health",
    "stale": "stale",
    "last_known": "last known",
    "weak_link": "weak link",
    "good": "Good",
    "warning": "Warning",
    "critical": "Critical",
    "unrated": "Unrated (dashed grey)",
    "stale_legend": "Stale health (dashed)",
    "silent_legend": "Silent: unrated now, rated before (dotted)",
    "crit_low": "Low criticality",
    "crit_medium": "Medium criticality",
    "crit_high": "High criticality",
    "rank_legend": "Weak-link rank",
    "dept_legend": "Department: fill = its own links, border = chain strength",
    "dept_none": "No chain strength / cut off (dashed)",
    "no_data": "No agreement is active in this period",
}
