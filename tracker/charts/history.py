"""History over periods: health (points 0–100) with the target and floor, NPS (−100..100) on its own axis."""
from __future__ import annotations

from dataclasses import dataclass

from ._common import BAND_COLOURS, FONT, INK, MUTED, finish_svg, new_figure, render

__all__ = ["HistorySeries", "history_chart"]

PALETTE = ("#1f3a68", "#00838f", "#6a1b9a", "#5d4037", "#ad1457")


@dataclass(frozen=True)
class HistorySeries:
    """One line: ``values`` aligned with the periods (None = no value that period);
    ``axis`` is ``health`` (0–100, left) or ``nps`` (−100..100, right); ``stale`` marks the
    values carried over from an earlier period (drawn hollow, never like a fresh rating)."""

    label: str
    values: list[float | None]
    axis: str = "health"
    stale: list[bool] | None = None


def history_chart(periods: list[str], series: list[HistorySeries], *, target: float = 75.0,
                  floor: float = 50.0, fmt: str = "svg", title: str = "",
                  labels: dict[str, str] | None = None) -> bytes:
    """A line chart of ``series`` over ``periods`` (labels, oldest first) as ``svg`` or ``png`` bytes.

    Health series are drawn against the target and floor bands (shaded, and named on the
    axis, so colour is not the only signal); gaps where a value is None. An NPS series gets
    a right-hand axis. Raises ValueError when a series' length differs from ``periods``
    or ``fmt`` is unknown.
    """
    words = {"target": "target", "floor": "floor", "health": "Health (points)", "nps": "Internal NPS",
             "no_data": "No data yet",
             "stale": "stale"}
    words.update(labels or {})
    for s in series:
        if len(s.values) != len(periods):
            raise ValueError(f"series {s.label!r} has {len(s.values)} values for {len(periods)} periods")
    fig = new_figure(max(5.5, 0.7 * len(periods) + 3), 2.9)
    ax = fig.add_axes((0.1, 0.2, 0.78, 0.68))
    xs = list(range(len(periods)))
    ax.set_ylim(0, 100)
    ax.axhspan(target, 100, color=BAND_COLOURS["good"][1], alpha=0.45, lw=0)
    ax.axhspan(floor, target, color=BAND_COLOURS["warn"][1], alpha=0.45, lw=0)
    ax.axhspan(0, floor, color=BAND_COLOURS["bad"][1], alpha=0.45, lw=0)
    has_data = any(v is not None for s in series for v in s.values)
    if has_data:  # with no data the floor line ran through "No data yet" (issue 17); the bands keep the scale
        ax.axhline(target, color=BAND_COLOURS["good"][0], lw=0.8, ls=(0, (3, 3)), gid="target-line")
        ax.axhline(floor, color=BAND_COLOURS["bad"][0], lw=0.8, ls=(0, (3, 3)), gid="floor-line")
    ax.set_xticks(xs, periods, fontsize=8, family=FONT)
    ax.set_xlim(-0.5, max(len(periods) - 0.5, 0.5))
    ax.set_ylabel(words["health"], fontsize=8, family=FONT, color=INK)
    ax.tick_params(labelsize=8, colors=INK)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    # named inside the plot, just above each line, clear of a right-hand NPS axis
    if has_data:
        ax.text(0.005, target + 1, f"{words['target']} {target:g}", transform=ax.get_yaxis_transform(), fontsize=7,
                color=BAND_COLOURS["good"][0], va="bottom", family=FONT)
        ax.text(0.005, floor + 1, f"{words['floor']} {floor:g}", transform=ax.get_yaxis_transform(), fontsize=7,
                color=BAND_COLOURS["bad"][0], va="bottom", family=FONT)
    nps_ax = None
    handles = []
    markers = "osD^v"
    for i, s in enumerate(series):
        target_ax = ax
        if s.axis == "nps":
            if nps_ax is None:
                nps_ax = ax.twinx()
                nps_ax.set_ylim(-100, 100)
                nps_ax.set_ylabel(words["nps"], fontsize=8, family=FONT, color=INK)
                nps_ax.tick_params(labelsize=8, colors=INK)
                nps_ax.spines["top"].set_visible(False)
            target_ax = nps_ax
        ys = [float("nan") if v is None else v for v in s.values]
        colour = PALETTE[i % len(PALETTE)]
        stale = s.stale or [False] * len(ys)
        fresh = [float("nan") if flag else y for y, flag in zip(ys, stale)]
        marker = markers[i % len(markers)]
        (line,) = target_ax.plot(xs, fresh, color=colour, lw=2, marker=marker, ms=5,
                                 ls="--" if s.axis == "nps" else "-", label=s.label)
        handles.append(line)
        if any(stale):
            # a carried-over value: a hollow marker joined by a dotted line, not the fresh line
            (carried,) = target_ax.plot(xs, ys, color=colour, lw=1.2, ls=(0, (1, 2)), marker=marker, ms=6,
                                        mfc="white", mew=1.5, markevery=[k for k, f in enumerate(stale) if f],
                                        label=f"{s.label} ({words['stale']})", zorder=1)
            handles.append(carried)
    if not has_data:
        ax.text(0.5, 0.5, words["no_data"], transform=ax.transAxes, ha="center", va="center", color=MUTED,
                fontsize=10, family=FONT, zorder=5, gid="no-data",
                bbox={"boxstyle": "round,pad=0.4", "facecolor": "white", "edgecolor": "none"})
    if handles:
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.1, 0.995), ncol=min(4, len(handles)),
                   frameon=False, prop={"family": FONT, "size": 8})
    if title:
        fig.text(0.99, 0.97, title, ha="right", va="top", fontsize=9, color=MUTED, family=FONT)
    data = render(fig, fmt)
    if fmt == "svg":
        data = finish_svg(data, {}, title or words["health"])
    return data
