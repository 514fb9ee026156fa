"""The informal network drawn over the static dependency graph.

The graph is drawn by :func:`tracker.charts.dependency_graph` as it is on the dashboard,
with the shadow services added as links; the SVG is then restyled so that a shadow
service is a purple dashed arrow (never confused with an unrated link, which is grey)
and a dormant agreement's arrow is faded, each with a tooltip that says so. No Flask
and no database here: plain records in, SVG bytes out.
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..charts import GraphLink, find_cycles

SHADOW_COLOUR = "#7b1fa2"
DORMANT_OPACITY = "0.3"


def overlay_svg(nodes, links, cmp, pa, draw, *, labels: dict[str, str], words: dict[str, str],
                shadow_url: str | None = None) -> bytes:
    """SVG of the dependency graph (``nodes``, ``links`` as the dashboard draws them) with ``cmp``'s overlay.

    ``cmp`` is a :class:`tracker.services.network.Comparison` (its ``shadow`` and
    ``dormant``), ``pa`` the period analysis (target and floor), ``draw`` the graph
    function, ``words`` the translated "shadow", "dormant" and "ties".
    """
    formal = {(lk.supplier, lk.customer) for lk in links}
    dormant = {(d.supplier, d.customer) for d in cmp.dormant}
    shadow = {(s.supplier, s.customer): s.volume for s in cmp.shadow if (s.supplier, s.customer) not in formal}
    drawn = [replace(lk, title=f"{words['dormant']}: {lk.title or lk.supplier + ' → ' + lk.customer}")
             if (lk.supplier, lk.customer) in dormant else lk for lk in links]
    drawn += [GraphLink(s, c, None, criticality=1, url=shadow_url,
                        title=f"{words['shadow']}: {s} → {c}, {n} {words['ties']}") for (s, c), n in shadow.items()]
    # The cycle note names agreements only: a shadow service closing a loop is no cycle of the chain.
    cycles = find_cycles([(lk.supplier, lk.customer) for lk in links])
    svg = draw(nodes, drawn, target=pa.target, floor=pa.floor, fmt="svg", labels=labels,
               cycles=cycles).decode("utf-8")
    codes = {n.code for n in nodes}
    kept = sorted((lk for lk in drawn if lk.supplier in codes and lk.customer in codes and lk.supplier != lk.customer),
                  key=lambda lk: (lk.supplier, lk.customer))
    for j, lk in enumerate(kept):
        pair = (lk.supplier, lk.customer)
        if pair in shadow:
            svg = _restyle(svg, j, lambda style: re.sub(r"stroke: #[0-9a-fA-F]{6}", f"stroke: {SHADOW_COLOUR}",
                                                        re.sub(r"fill: #[0-9a-fA-F]{6}", f"fill: {SHADOW_COLOUR}",
                                                               style)), "informal-shadow")
        elif pair in dormant:
            svg = _restyle(svg, j, lambda style: style + f"; opacity: {DORMANT_OPACITY}", "informal-dormant")
    return svg.encode("utf-8")


def _restyle(svg: str, j: int, change, css_class: str) -> str:
    """Apply ``change`` to the style of link ``j``'s arrow and head, and give their groups ``css_class``."""
    for gid in (f"link-{j}", f"link-{j}-head"):
        pattern = re.compile(r'(<g id="' + re.escape(gid) + r'"[^>]*>)(.*?)(</g>)', re.S)

        def edit(match):
            opening = match.group(1).replace(f'id="{gid}"', f'id="{gid}" class="{css_class}"', 1)
            body = re.sub(r'style="([^"]*)"', lambda m: f'style="{change(m.group(1))}"', match.group(2))
            return opening + body + match.group(3)

        svg = pattern.sub(edit, svg, count=1)
    return svg
