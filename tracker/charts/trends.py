"""Trends over periods as small multiples, and the supplier × customer heatmap.

Each quantity gets its own panel and its own axis (never NPS drawn over the health bands on
one axis); every panel names its unit. Plain data in, SVG or PNG bytes out.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from matplotlib.colors import ListedColormap
from matplotlib.transforms import blended_transform_factory

from tracker.analysis.bands import band

from ._common import BAND_COLOURS, FONT, INK, MUTED, finish_svg, new_figure, render

__all__ = ["Panel", "TrendSeries", "trend_chart", "HeatCell", "heatmap_chart"]

PALETTE = ("#1f3a68", "#c62828", "#00838f", "#6a1b9a")


@dataclass(frozen=True)
class TrendSeries:
    """One line of a panel: ``values`` aligned with the periods (None = no value);
    ``notes`` (optional, aligned too) are written by each point, e.g. ``N=12``."""

    label: str
    values: list
    notes: list | None = None


@dataclass(frozen=True)
class Panel:
    """One small chart: a title, its series, and the axis ``kind``: ``points`` (0–100, target and
    floor drawn), ``percent`` (0–100 %), ``nps`` (−100..100, zero line) or ``count`` (from 0)."""

    title: str
    series: list
    kind: str = "points"
    target: float | None = None
    floor: float | None = None
    extra: dict = field(default_factory=dict)


_LIMITS = {"points": (0, 100), "percent": (0, 100), "nps": (-100, 100)}


def trend_chart(periods: list[str], panels: list[Panel], *, fmt: str = "svg", title: str = "",
                labels: dict[str, str] | None = None, columns: int = 2) -> bytes:
    """Small multiples over ``periods`` (labels, oldest first), one panel per quantity.

    Raises
    ------
    ValueError
        A series' length differs from ``periods``, a panel's ``kind`` is unknown, or ``fmt``
        is neither ``svg`` nor ``png``.
    """
    words = {"target": "target", "floor": "floor", "no_data": "No data yet"}
    words.update(labels or {})
    for p in panels:
        if p.kind not in (*_LIMITS, "count"):
            raise ValueError(f"unknown panel kind {p.kind!r}")
        for s in p.series:
            if len(s.values) != len(periods) or (s.notes is not None and len(s.notes) != len(periods)):
                raise ValueError(f"series {s.label!r} has {len(s.values)} values for {len(periods)} periods")
    columns = max(1, min(columns, len(panels)))
    rows = math.ceil(len(panels) / columns) if panels else 1
    width = max(3.6, 0.55 * len(periods) + 2.4)
    fig = new_figure(width * columns, 2.5 * rows + (0.35 if title else 0.1))
    top = 1 - (0.55 if title else 0.35) / fig.get_figheight()
    grid = fig.subplots(rows, columns, squeeze=False)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12 if rows == 1 else 0.08, top=top, hspace=0.6, wspace=0.25)
    for extra in list(grid.flat)[len(panels):]:
        extra.set_visible(False)
    xs = list(range(len(periods)))
    for ax, p in zip(grid.flat, panels):
        ax.set_title(p.title, fontsize=9, family=FONT, color=INK, loc="left")
        ax.set_xticks(xs, periods, fontsize=7, family=FONT)
        ax.set_xlim(-0.5, max(len(periods) - 0.5, 0.5))
        ax.tick_params(labelsize=7, colors=INK)
        for spine in ("top", "right"):
            ax.spines[spine].set_visible(False)
        values = [v for s in p.series for v in s.values if v is not None]
        if p.kind in _LIMITS:
            ax.set_ylim(*_LIMITS[p.kind])
        else:
            ax.set_ylim(0, max(values + [1]) * 1.25)
        if p.kind == "percent":
            ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}%")
        if p.kind == "nps":
            ax.axhline(0, color=MUTED, lw=0.6)
        for level, name, colour in ((p.target, "target", "good"), (p.floor, "floor", "bad")):
            if level is not None:
                ax.axhline(level, color=BAND_COLOURS[colour][0], lw=0.8, ls=(0, (3, 3)))
                ax.text(0.005, level + 1, f"{words[name]} {level:g}", transform=ax.get_yaxis_transform(),
                        fontsize=6.5, color=BAND_COLOURS[colour][0], va="bottom", family=FONT)
        for j, s in enumerate(p.series):
            ys = [float("nan") if v is None else v for v in s.values]
            colour = PALETTE[j % len(PALETTE)]
            if p.kind == "count":
                offset = (j - (len(p.series) - 1) / 2) * 0.35
                ax.bar([x + offset for x in xs], [0 if v is None else v for v in s.values], width=0.33,
                       color=colour, label=s.label, hatch="//" if j else None, edgecolor="white")
                for x, v in zip(xs, s.values):
                    if v is not None:
                        ax.text(x + offset, v, f"{v:g}", ha="center", va="bottom", fontsize=6.5, family=FONT,
                                color=INK)
            else:
                ax.plot(xs, ys, color=colour, lw=2, marker="os^D"[j % 4], ms=4, label=s.label,
                        ls="-" if j == 0 else "--")
                for x, v, note in zip(xs, s.values, s.notes or [None] * len(xs)):
                    if v is not None and note:
                        ax.annotate(note, (x, v), textcoords="offset points", xytext=(0, 5), ha="center",
                                    fontsize=6.5, family=FONT, color=MUTED)
        if len(p.series) > 1:
            ax.legend(loc="upper right", frameon=False, prop={"family": FONT, "size": 7}, ncol=len(p.series))
        if not values:
            ax.text(0.5, 0.5, words["no_data"], transform=ax.transAxes, ha="center", va="center", color=MUTED,
                    fontsize=9, family=FONT)
    if title:
        fig.text(0.01, 0.99, title, ha="left", va="top", fontsize=10, color=INK, family=FONT)
    data = render(fig, fmt)
    if fmt == "svg":
        data = finish_svg(data, {}, title or ", ".join(p.title for p in panels))
    return data


@dataclass(frozen=True)
class HeatCell:
    """One agreement cell: ``health`` (points, None = unrated), a link ``url``, a tooltip ``title``, and the
    ``band`` the caller decided with the agreement's own target and floor (else the chart's target and floor)."""

    health: float | None
    url: str = ""
    title: str = ""
    band: str | None = None


#: Up to this many rows and columns the heatmap's codes are axis ticks; beyond, plain texts (faster).
TICKED_UP_TO = 40


def heatmap_chart(suppliers: list[str], customers: list[str], cells: dict, *, target: float = 75.0,
                  floor: float = 50.0, fmt: str = "svg", title: str = "", labels: dict[str, str] | None = None,
                  max_px: int | None = None) -> bytes:
    """Supplier (rows) × customer (columns) matrix; ``cells`` maps ``(supplier, customer)`` to a
    :class:`HeatCell`; blank where there is no agreement. The cell colour is the health band and
    the cell carries the figure (or ``?`` unrated), so colour is not the only signal; each cell
    links to its ``url``.

    ``max_px`` caps a PNG's longer side (see :func:`tracker.charts._common.render`).
    Raises ValueError for an unknown ``fmt``.
    """
    words = {"supplier": "Supplier", "customer": "Customer", "good": "at or above target", "warn": "below target",
             "bad": "below floor", "none": "unrated", "empty": "No agreements in this period"}
    words.update(labels or {})
    n_rows, n_cols = max(len(suppliers), 1), max(len(customers), 1)
    cell = 0.34 if max(n_rows, n_cols) <= 40 else max(0.08, 14 / max(n_rows, n_cols))
    fig = new_figure(max(4.5, n_cols * cell + 2.2), max(3.0, n_rows * cell + 2.2))
    W, H = fig.get_figwidth(), fig.get_figheight()
    ax = fig.add_axes((1.3 / W, 0.5 / H, n_cols * cell / W, n_rows * cell / H))
    order = {"good": 0, "warn": 1, "bad": 2, "none": 3}
    cmap = ListedColormap([BAND_COLOURS[b][1] for b in order])
    grid = [[float("nan")] * len(customers) for _ in suppliers]
    row_of = {s: i for i, s in enumerate(suppliers)}
    col_of = {c: j for j, c in enumerate(customers)}
    for (s, c), hc in cells.items():
        if s in row_of and c in col_of:
            grid[row_of[s]][col_of[c]] = order[hc.band or band(hc.health, target, floor)]
    if suppliers and customers:
        ax.imshow(grid, cmap=cmap, vmin=-0.5, vmax=3.5, aspect="auto", interpolation="nearest")
    if max(n_rows, n_cols) <= TICKED_UP_TO:
        ax.set_xticks(range(len(customers)), customers, rotation=90, fontsize=7, family=FONT)
        ax.set_yticks(range(len(suppliers)), suppliers, fontsize=7, family=FONT)
        pad_x = pad_y = 4.0  # matplotlib's default labelpad
    else:
        # A large matrix: each code as one Text instead of a Tick (two lines, a grid line and two labels
        # each): ~0.4 s of the review pack at 200 departments. The axis titles stand clear of the codes.
        ax.set_xticks([])
        ax.set_yticks([])
        top = blended_transform_factory(ax.transData, ax.transAxes)
        left = blended_transform_factory(ax.transAxes, ax.transData)
        for j, c in enumerate(customers):
            ax.text(j, 1.0, c + " ", transform=top, rotation=90, ha="center", va="bottom", fontsize=7,
                    family=FONT, color=INK)
        for i, s in enumerate(suppliers):
            ax.text(0.0, i, s + " ", transform=left, ha="right", va="center", fontsize=7, family=FONT, color=INK)
        # 7 pt per character at most (DejaVu Sans is narrower), plus a little air
        pad_x = 4.0 + 4.6 * max((len(c) for c in customers), default=0)
        pad_y = 4.0 + 4.6 * max((len(s) for s in suppliers), default=0)
    ax.xaxis.tick_top()
    ax.set_xlabel(words["customer"], fontsize=8, family=FONT, color=INK, labelpad=pad_x)
    ax.xaxis.set_label_position("top")
    ax.set_ylabel(words["supplier"], fontsize=8, family=FONT, color=INK, labelpad=pad_y)
    ax.set_xlim(-0.5, len(customers) - 0.5)
    ax.set_ylim(len(suppliers) - 0.5, -0.5)
    ax.tick_params(length=0, colors=INK)
    # The cell borders as two line collections: a minor tick per border (with its own Tick artists)
    # took ~1 s of the review pack at 200 departments.
    if len(customers) > 1:
        ax.vlines([x - 0.5 for x in range(1, len(customers))], -0.5, len(suppliers) - 0.5, color="#dddddd", lw=0.4)
    if len(suppliers) > 1:
        ax.hlines([y - 0.5 for y in range(1, len(suppliers))], -0.5, len(customers) - 0.5, color="#dddddd", lw=0.4)
    titles = {}
    small = cell < 0.3
    for k, ((s, c), hc) in enumerate(sorted(cells.items())):
        if s not in row_of or c not in col_of:
            continue
        x, y = col_of[c], row_of[s]
        text = "?" if hc.health is None else f"{hc.health:.0f}"
        titles[f"cell-{k}"] = hc.title or f"{s} → {c}: {text}"
        if not small:
            b = hc.band or band(hc.health, target, floor)
            t = ax.text(x, y, text, ha="center", va="center", fontsize=6.5, family=FONT,
                        color=BAND_COLOURS[b][0], fontweight="bold")
            if hc.url:
                t.set_url(hc.url)
        if fmt != "svg":
            continue  # the clickable cell and its tooltip exist only in SVG
        rect = ax.add_patch(_cell_patch(x, y))
        gid = f"cell-{k}"
        rect.set_gid(gid)
        if hc.url:
            rect.set_url(hc.url)
    if not cells:
        ax.text(0.5, 0.5, words["empty"], transform=ax.transAxes, ha="center", va="center", color=MUTED,
                fontsize=9, family=FONT)
    # legend: band colour with its word
    from matplotlib.patches import Patch
    handles = [Patch(facecolor=BAND_COLOURS[b][1], edgecolor=BAND_COLOURS[b][0], label=words[b]) for b in order]
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.0), ncol=4, frameon=False,
               prop={"family": FONT, "size": 7})
    if title:
        fig.text(0.01, 0.995, title, ha="left", va="top", fontsize=9, color=MUTED, family=FONT)
    data = render(fig, fmt, max_px=max_px)
    if fmt == "svg":
        data = finish_svg(data, titles, title or words["supplier"])
    return data


def _cell_patch(x: int, y: int):
    from matplotlib.patches import Rectangle

    return Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor="none", edgecolor="none")
