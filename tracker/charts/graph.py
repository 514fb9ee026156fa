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
from functools import lru_cache
from dataclasses import dataclass, field

import networkx as nx
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyBboxPatch, PathPatch
from matplotlib.path import Path

from tracker.analysis import round_half_away

from ._common import BAND_COLOURS, EXTERNAL_FILL, FONT, INK, MUTED, band, finish_svg, new_figure, render

__all__ = ["GraphNode", "GraphLink", "Layout", "layout", "find_cycles", "dependency_graph"]

EXTERNAL = "external"
#: Weak links ranked at most this are numbered on the drawing.
RANKS_SHOWN = 10
#: Above this many departments in one column, codes are left out (tooltips keep them).
MAX_LABELLED_ROWS = 70

# Geometry in inches: one data unit is one inch on both axes, so arrow arithmetic is simple.
COL_GAP = 1.75
ROW_GAP = 0.62
MARGIN = 0.6
LEGEND_HEIGHT = 0.85
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


@dataclass(frozen=True)
class GraphLink:
    """A supplier → customer link: ``health`` is the link health (points 0–100) or None (unrated);
    ``criticality`` 1–3; ``rank`` the best weak-link rank among its contracts, or None."""

    supplier: str
    customer: str
    health: float | None = None
    stale: bool = False
    criticality: int = 2
    rank: int | None = None
    url: str | None = None
    title: str = ""


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
                     title: str = "", labels: dict[str, str] | None = None) -> bytes:
    """Draw the dependency graph and return ``svg`` or ``png`` bytes.

    ``nodes`` and ``links`` are plain records (see :class:`GraphNode`, :class:`GraphLink`);
    links naming an unknown department are ignored. ``target``/``floor`` (points) set the
    health bands. ``cycles`` (lists of codes) are named in a note; None finds them with
    :func:`find_cycles`. ``labels`` translates the legend and note words (keys as in
    :data:`DEFAULT_LABELS`). In SVG every node and link is an ``<a>`` to its ``url`` with
    ``target="_top"`` and a ``<title>`` tooltip. Raises ValueError for an unknown ``fmt``.
    """
    return _draw(tuple(nodes), tuple(links), float(target), float(floor),
                 None if cycles is None else tuple(tuple(c) for c in cycles), fmt, title,
                 tuple(sorted((labels or {}).items())))


# The same data gives the same picture: a handful of recent drawings are kept, so the
# dashboard's SVG and a PNG download of an unchanged period are not drawn again.
@lru_cache(maxsize=8)
def _draw(nodes: tuple[GraphNode, ...], links: tuple[GraphLink, ...], target: float, floor: float,
          cycles: tuple[tuple[str, ...], ...] | None, fmt: str, title: str,
          labels: tuple[tuple[str, str], ...]) -> bytes:
    """Draw the graph; see :func:`dependency_graph`."""
    labels = dict(labels)
    cycles = None if cycles is None else [list(c) for c in cycles]
    nodes, links = list(nodes), list(links)
    words = dict(DEFAULT_LABELS)
    words.update(labels or {})
    codes = {n.code for n in nodes}
    links = [lk for lk in links if lk.supplier in codes and lk.customer in codes and lk.supplier != lk.customer]
    if cycles is None:
        cycles = find_cycles([(lk.supplier, lk.customer) for lk in links])
    lay = layout(nodes, links)
    by_code = {n.code: n for n in nodes}

    rows_per_col = defaultdict(int)
    for n in nodes:
        rows_per_col[(lay.layer[n.code], n.code in lay.cut_off)] += 1
    tallest = max(rows_per_col.values(), default=1)
    show_labels = tallest <= MAX_LABELLED_ROWS
    fontsize = 9.0

    notes = [words["cycle"] + ": " + cycle_label(c) for c in cycles]
    xs = [p[0] for p in lay.positions.values()] or [0.0]
    ys = [p[1] for p in lay.positions.values()] or [0.0]
    x0, x1 = 0.0, max(xs) + 0.7 + MARGIN
    x1 = max(x1, 8.0)
    header = 0.95 + NOTE_LINE * len(notes) + (0.4 if title else 0)
    y1 = max(ys) + header
    y0 = min(ys) - 0.55
    width, graph_height = x1 - x0, y1 - y0
    height = graph_height + LEGEND_HEIGHT

    fig = new_figure(width, height)
    ax = fig.add_axes((0, LEGEND_HEIGHT / height, 1, graph_height / height))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_axis_off()
    ax.set_autoscale_on(False)

    titles: dict[str, str] = {}
    # column captions
    top_text = max(ys) + 0.42
    if title:
        ax.text(MARGIN, y1 - 0.3, title, fontsize=13, fontweight="bold", color=INK, family=FONT, va="center")
    for i, note in enumerate(notes):
        text = ax.text(MARGIN, y1 - 0.3 - (0.4 if title else 0) - i * NOTE_LINE, "↻ " + note, fontsize=9,
                       color="#6a1b9a", family=FONT, va="center")
        text.set_gid(f"note-{i}")
        titles[f"note-{i}"] = note
    ext_x = MARGIN + 0.7 + (lay.n_layers - 1) * COL_GAP
    if any(n.kind == EXTERNAL for n in nodes):
        ax.text(ext_x, top_text, words["external_column"], fontsize=8, color=MUTED, family=FONT,
                ha="center", va="bottom", style="italic")
        if lay.n_layers > 1:
            ax.annotate("", xy=(ext_x - COL_GAP * 0.55, top_text + 0.1), xytext=(MARGIN + 0.2, top_text + 0.1),
                        arrowprops=dict(arrowstyle="->", color="#b0bec5", lw=1))
            ax.text(MARGIN + 0.25, top_text + 0.14, words["flow"], fontsize=8, color=MUTED, family=FONT,
                    va="bottom", style="italic")
    if lay.band_top is not None:
        ax.plot([x0 + 0.2, x1 - 0.2], [lay.band_top, lay.band_top], color="#b0bec5", lw=1, ls=(0, (4, 3)))
        cut = sorted(c for c in lay.cut_off if by_code[c].kind != EXTERNAL)
        text = ax.text(MARGIN, lay.band_top - 0.2, "⚠ " + words["cut_off_note"], fontsize=9, color="#b71c1c",
                       family=FONT, va="center")
        text.set_gid("note-cut-off")
        titles["note-cut-off"] = words["cut_off_note"] + (": " + ", ".join(cut) if cut else "")

    # nodes first: the link geometry needs their box sizes
    sizes: dict[str, tuple[float, float]] = {}
    for i, node in enumerate(sorted(nodes, key=lambda n: n.code)):
        x, y = lay.positions[node.code]
        w, h = _node_box(node.code, fontsize) if show_labels else (0.22, 0.22)
        if node.kind == EXTERNAL:
            style, fc, ec, tc = "round,pad=0,rounding_size=0.04", EXTERNAL_FILL, EXTERNAL_FILL, "white"
            h = h + 0.08
        else:
            b = band(node.strength, target, floor)
            style = "round,pad=0,rounding_size=0.17" if show_labels else "circle,pad=0"
            fc, ec, tc = BAND_COLOURS[b][1], BAND_COLOURS[b][0], INK
        sizes[node.code] = (w, h)
        box = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=style, fc=fc, ec=ec,
                             lw=2.2 if node.cut_off else 1.3, ls="--" if node.cut_off else "-", zorder=3)
        gid = f"node-{i}"
        box.set_gid(gid)
        if node.url:
            box.set_url(node.url)
        ax.add_artist(box)
        titles[gid] = _node_title(node, words)
        if show_labels:
            text = ax.text(x, y, node.code, ha="center", va="center", fontsize=fontsize, color=tc,
                           fontweight="bold", family=FONT, zorder=4)
            text.set_gid(f"node-{i}-label")
            titles[f"node-{i}-label"] = titles[gid]
            if node.url:
                text.set_url(node.url)

    for j, lk in enumerate(sorted(links, key=lambda lk: (lk.supplier, lk.customer))):
        b = band(lk.health, target, floor)
        colour = BAND_COLOURS[b][0]
        dashed = lk.health is None or lk.stale
        is_back = (lk.supplier, lk.customer) in lay.back_links
        (xa, ya), (xb, yb) = lay.positions[lk.supplier], lay.positions[lk.customer]
        rad = _route(lay, (xa, ya), (xb, yb), is_back, sizes)
        # The curve is clipped at the boxes and the head drawn here, in closed form:
        # FancyArrowPatch bisects each curve against the boxes and costs seconds at 200 departments.
        body, head = _arrow_paths((xa, ya), (xb, yb), rad, sizes[lk.supplier], sizes[lk.customer],
                                  0.05 + 0.025 * lk.criticality)
        arrow = PathPatch(body, fill=False, ec=colour, lw=_width(lk.criticality), alpha=0.95,
                          ls=(0, (4, 2.5)) if dashed else "-", capstyle="butt", zorder=2 if lk.rank else 1)
        tip = PathPatch(head, fc=colour, ec=colour, lw=0.5, zorder=2 if lk.rank else 1)
        tip.set_gid(f"link-{j}-head")
        if lk.url:
            tip.set_url(lk.url)
        ax.add_artist(tip)
        gid = f"link-{j}"
        arrow.set_gid(gid)
        if lk.url:
            arrow.set_url(lk.url)
        ax.add_artist(arrow)
        titles[gid] = lk.title or _link_title(lk, words)
        if lk.rank is not None and lk.rank <= RANKS_SHOWN:
            # the midpoint of the arc3 quadratic Bézier curve
            mx = (xa + xb) / 2 + rad * (yb - ya) / 2
            my = (ya + yb) / 2 - rad * (xb - xa) / 2
            marker = Circle((mx, my), 0.13, fc="white", ec=colour, lw=1.6, zorder=5)
            marker.set_gid(f"link-{j}-rank")
            titles[f"link-{j}-rank"] = titles[gid]
            if lk.url:
                marker.set_url(lk.url)
            ax.add_artist(marker)
            rank_text = ax.text(mx, my, str(lk.rank), ha="center", va="center", fontsize=7.5, color=INK,
                                fontweight="bold", family=FONT, zorder=6)
            if lk.url:
                rank_text.set_url(lk.url)

    _legend(fig, height, target, floor, words)
    data = render(fig, fmt)
    if fmt == "svg":
        data = finish_svg(data, titles, title or words["graph_title"])
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
    if node.cut_off:
        text += f" ({words['cut_off']})"
    return text


def _link_title(lk: GraphLink, words: dict[str, str]) -> str:
    text = f"{lk.supplier} → {lk.customer}: {words['health']} {_fmt(lk.health, words['decimal'])}"
    if lk.stale:
        text += f" ({words['stale']})"
    if lk.rank is not None:
        text += f", {words['weak_link']} #{lk.rank}"
    return text


def _legend(fig, height: float, target: float, floor: float, words: dict[str, str]) -> None:
    """Explain colours, dashes, widths and shapes in a band below the drawing."""
    t, f = _fmt(target, words["decimal"]), _fmt(floor, words["decimal"])
    g, w, b, n = (BAND_COLOURS[k][0] for k in ("good", "warn", "bad", "none"))
    handles = [
        Line2D([], [], color=g, lw=2.2, label=f"{words['good']} (≥ {t})"),
        Line2D([], [], color=w, lw=2.2, label=f"{words['warning']} ({f}–{t})"),
        Line2D([], [], color=b, lw=2.2, label=f"{words['critical']} (< {f})"),
        Line2D([], [], color=n, lw=2.2, ls=(0, (4, 2.5)), label=words["unrated"]),
        Line2D([], [], color=g, lw=2.2, ls=(0, (4, 2.5)), label=words["stale_legend"]),
        Line2D([], [], ls="", marker="o", ms=11, mfc="white", mec=b, mew=1.6, label=words["rank_legend"]),
        Line2D([], [], color=INK, lw=_width(1), label=words["crit_low"]),
        Line2D([], [], color=INK, lw=_width(2), label=words["crit_medium"]),
        Line2D([], [], color=INK, lw=_width(3), label=words["crit_high"]),
        Line2D([], [], ls="", marker="o", ms=11, mfc=BAND_COLOURS["good"][1], mec=g, label=words["dept_legend"]),
        Line2D([], [], ls="", marker="o", ms=11, mfc=BAND_COLOURS["none"][1], mec=n, mew=2, linestyle="",
               label=words["dept_none"]),
        Line2D([], [], ls="", marker="s", ms=11, mfc=EXTERNAL_FILL, mec=EXTERNAL_FILL, label=words["external"]),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=8,
               prop={"family": FONT, "size": 8}, bbox_to_anchor=(0.5, 0.02 / height), handlelength=2.6,
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
    "cut_off": "cut off from the customer",
    "health": "health",
    "stale": "stale",
    "weak_link": "weak link",
    "good": "Good",
    "warning": "Warning",
    "critical": "Critical",
    "unrated": "Unrated (dashed grey)",
    "stale_legend": "Stale health (dashed)",
    "crit_low": "Low criticality",
    "crit_medium": "Medium criticality",
    "crit_high": "High criticality",
    "rank_legend": "Weak-link rank",
    "dept_legend": "Department: fill = chain strength",
    "dept_none": "No chain strength / cut off (dashed)",
}
