"""The dependency graph chart: layout rules, valid SVG with links, PNG, Cyrillic, escaping."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tracker.charts import GraphLink, GraphNode, dependency_graph, find_cycles, layout
from tracker.charts.graph import cycle_label

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"

# (supplier, customer, health, criticality, rank) — the worked example of the product brief
EXAMPLE = [
    ("PROC", "WH", 80, 3, None), ("WH", "LOG", 45, 3, 1), ("LOG", "EXT", 90, 3, None),
    ("IT", "WH", 70, 2, 4), ("IT", "LOG", 85, 2, None), ("HR", "IT", 60, 1, 3),
    ("SALES", "EXT", 75, 3, None), ("IT", "SALES", 55, 2, 2), ("FIN", "HR", None, 1, None),
    ("HR", "FIN", 95, 1, None), ("IT", "MKT", 40, 1, None),
]
STRENGTH = {"PROC": 45, "WH": 45, "LOG": 90, "IT": 85, "HR": 60, "SALES": 75, "FIN": 60, "MKT": None}


def example(names: dict[str, str] | None = None) -> tuple[list[GraphNode], list[GraphLink]]:
    names = names or {}
    nodes = [GraphNode(code, names.get(code, code), "internal", s, code == "MKT", f"/dashboard/departments/{code}")
             for code, s in STRENGTH.items()]
    nodes.append(GraphNode("EXT", names.get("EXT", "Retail clients"), "external", url="/dashboard/departments/EXT"))
    links = [GraphLink(s, c, h, False, crit, rank, f"/dashboard/contracts/{i}")
             for i, (s, c, h, crit, rank) in enumerate(EXAMPLE, start=1)]
    return nodes, links


def anchors(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [a.get(f"{XLINK}href") for a in root.iter(f"{SVG}a")]


def test_externals_rightmost_and_suppliers_left_of_customers_on_acyclic_graph():
    nodes, links = example()
    links = [lk for lk in links if (lk.supplier, lk.customer) != ("FIN", "HR")]  # break the cycle
    lay = layout(nodes, links)
    assert lay.layer["EXT"] == 0
    x = {code: pos[0] for code, pos in lay.positions.items()}
    assert x["EXT"] == max(x.values())
    for lk in links:
        if lk.customer != "MKT":  # the cut-off band has its own columns
            assert x[lk.supplier] < x[lk.customer], (lk.supplier, lk.customer)
    assert lay.back_links == set()
    # the longest distance puts IT left of WH although IT also supplies LOG directly
    assert lay.layer["IT"] == 3 and lay.layer["WH"] == 2 and lay.layer["LOG"] == 1


def test_cut_off_departments_go_to_the_lower_band():
    nodes, links = example()
    lay = layout(nodes, links)
    assert lay.cut_off == {"MKT"}
    assert lay.positions["MKT"][1] < min(y for c, (_x, y) in lay.positions.items() if c != "MKT")
    assert lay.band_top is not None


def test_cycle_is_found_named_and_drawn_against_the_flow():
    nodes, links = example()
    assert find_cycles([(lk.supplier, lk.customer) for lk in links]) == [["FIN", "HR"]]
    assert cycle_label(["FIN", "HR"]) == "FIN ⇄ HR"
    assert cycle_label(["A", "B", "C"]) == "A → B → C → A"
    lay = layout(nodes, links)
    # HR is nearer the customer than FIN, so HR → FIN is the link drawn against the flow
    assert lay.back_links == {("HR", "FIN")}
    svg = dependency_graph(nodes, links)
    titles = [t.text for t in ET.fromstring(svg).iter(f"{SVG}title")]
    assert "Cycle: FIN ⇄ HR" in titles
    assert "Cut off: no path to an external customer: MKT" in titles
    translated = dependency_graph(nodes, links, labels={"cycle": "Цикл"})
    assert "Цикл: FIN ⇄ HR" in [t.text for t in ET.fromstring(translated).iter(f"{SVG}title")]


def test_svg_is_valid_with_a_link_per_node_and_per_link():
    nodes, links = example()
    svg = dependency_graph(nodes, links, fmt="svg")
    hrefs = anchors(svg)
    for node in nodes:
        assert node.url in hrefs
    for lk in links:
        assert lk.url in hrefs
    root = ET.fromstring(svg)
    assert all(a.get("target") == "_top" for a in root.iter(f"{SVG}a"))
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert any(t.startswith("WH → LOG: health 45") and "weak link #1" in t for t in titles)
    assert any(t.startswith("EXT — Retail clients") for t in titles)


def test_png_signature():
    nodes, links = example()
    assert dependency_graph(nodes, links, fmt="png").startswith(b"\x89PNG\r\n\x1a\n")


def test_unknown_format_is_refused():
    nodes, links = example()
    with pytest.raises(ValueError):
        dependency_graph(nodes, links, fmt="gif")


def test_cyrillic_names_and_codes_render_without_missing_glyphs(recwarn):
    names = {"WH": "Склад", "LOG": "Логистика", "EXT": "Розничные клиенты"}
    nodes, links = example(names)
    nodes.append(GraphNode("ОТК", "Отдел технического контроля", "internal", 70.0))
    links.append(GraphLink("ОТК", "WH", 70.0, False, 2, None, "/dashboard/contracts/99"))
    svg = dependency_graph(nodes, links, title="Граф зависимостей — 2026-Q3")
    png = dependency_graph(nodes, links, fmt="png", title="Граф зависимостей — 2026-Q3")
    assert not [w for w in recwarn if "missing" in str(w.message).lower() or "glyph" in str(w.message).lower()]
    titles = [t.text for t in ET.fromstring(svg).iter(f"{SVG}title")]
    assert "WH — Склад: chain strength 45" in titles
    assert png.startswith(b"\x89PNG")


def test_user_text_is_escaped_in_svg():
    nodes = [GraphNode("A&B", "<script>alert(1)</script> & co", "internal", 80.0, url="/d?x=1&y=<2>"),
             GraphNode("EXT", "Clients \"quoted\" & <b>", "external", url="/d/EXT")]
    links = [GraphLink("A&B", "EXT", 80.0, False, 3, None, "/c/1?a=1&b=2", title="<script>x</script>")]
    svg = dependency_graph(nodes, links)
    assert b"<script" not in svg
    assert b"&lt;script&gt;" in svg
    root = ET.fromstring(svg)  # still well-formed
    assert "/d?x=1&y=<2>" in anchors(svg)
    assert "<script>alert(1)</script> & co" in " ".join(t.text for t in root.iter(f"{SVG}title"))


def test_stale_and_unrated_links_and_large_graph_render():
    nodes = [GraphNode(f"D{i:03d}", f"Department {i}", "internal", [None, 40.0, 60.0, 90.0][i % 4])
             for i in range(200)]
    nodes.append(GraphNode("EXT", "Clients", "external"))
    links = [GraphLink(f"D{i:03d}", f"D{(i - 1) // 3:03d}" if i > 2 else "EXT", [None, 30.0, 80.0][i % 3],
                       stale=i % 5 == 0, criticality=1 + i % 3, rank=i if i < 12 else None)
             for i in range(200)]
    svg = dependency_graph(nodes, links)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    lay = layout(nodes, links)
    assert lay.layer["D000"] == 1 and lay.layer["EXT"] == 0
    assert max(lay.layer.values()) == 5  # a tree of fan-out three: 200 departments in five levels


def test_same_input_gives_the_same_svg_bytes():
    """matplotlib salts clip-path ids at random unless ``svg.hashsalt`` is fixed."""
    nodes, links = example()
    first = dependency_graph(nodes, links, fmt="svg")
    second = dependency_graph(nodes, links, fmt="svg")
    assert first == second
    assert b'id="chart"' in first


def test_no_link_gives_a_no_data_picture_not_an_empty_frame():
    nodes, _links = example()
    svg = dependency_graph(nodes, [], fmt="svg", labels={"no_data": "No agreement is active in this period"})
    root = ET.fromstring(svg)
    assert not list(root.iter(f"{SVG}a"))
    # a one-line picture (8 × 1.6 inches), its words drawn as glyphs, not a frame the size of the graph
    assert root.get("viewBox").split()[2:] == ["576", "115.2"]
    assert dependency_graph(nodes, [], fmt="png").startswith(b"\x89PNG")


def _link_strokes(svg: bytes) -> list[str]:
    import re
    root = ET.fromstring(svg)
    return [re.search(r"stroke: (#[0-9a-f]{6})", ET.tostring(g, encoding="unicode")).group(1)
            for g in root.iter(f"{SVG}g") if re.fullmatch(r"link-\d+", g.get("id") or "")]


def test_link_band_given_by_the_caller_wins_over_the_chart_target():
    """QA → PROD at 83.3 against its own target 85 is drawn amber, not green by the target 75."""
    from tracker.analysis import BAND_COLOURS
    nodes = [GraphNode("QA", "QA"), GraphNode("PROD", "PROD"), GraphNode("EXT", "Clients", "external")]
    own = [GraphLink("QA", "PROD", 83.3, band="warn"), GraphLink("PROD", "EXT", 90.0)]
    assert _link_strokes(dependency_graph(nodes, own, fmt="svg")) == [BAND_COLOURS["good"][0], BAND_COLOURS["warn"][0]]
    plain = [GraphLink("QA", "PROD", 83.3), GraphLink("PROD", "EXT", 90.0)]
    assert _link_strokes(dependency_graph(nodes, plain, fmt="svg")) == [BAND_COLOURS["good"][0]] * 2


def test_max_px_caps_a_tall_png_for_the_review_pack():
    """The 200-department graph is ~45 inches tall: at 110 dpi a 1210 × 4937 px PNG that the pack
    shows 165 mm tall; ``max_px`` draws the same picture at a resolution a page can use."""
    import io

    from PIL import Image

    nodes = [GraphNode(f"D{i:03d}", f"Department {i}", "internal", 60.0) for i in range(200)]
    nodes.append(GraphNode("EXT", "Clients", "external"))
    links = [GraphLink(f"D{i:03d}", f"D{(i - 1) // 3:03d}" if i > 2 else "EXT", 60.0) for i in range(200)]
    full = Image.open(io.BytesIO(dependency_graph(nodes, links, fmt="png")))
    capped = Image.open(io.BytesIO(dependency_graph(nodes, links, fmt="png", max_px=2000)))
    assert max(full.size) > 2000
    assert max(capped.size) <= 2000
    assert abs(capped.size[0] / capped.size[1] - full.size[0] / full.size[1]) < 0.02


def test_large_heatmap_keeps_every_code_as_text_without_ticks():
    """Beyond TICKED_UP_TO rows/columns the codes are plain texts (faster than ~400 Tick artists):
    every supplier and customer code is still drawn."""
    from tracker.charts import trends

    codes = [f"D{i:03d}" for i in range(60)]
    cells = {(codes[i], codes[(i + 1) % 60]): trends.HeatCell(float(i)) for i in range(60)}
    fig_texts = []
    real_render = trends.render

    def spy(fig, fmt, **kw):
        fig_texts.extend(t.get_text().strip() for ax in fig.axes for t in ax.texts)
        assert not fig.axes[0].get_xticks().size and not fig.axes[0].get_yticks().size
        return real_render(fig, fmt, **kw)

    trends.render = spy
    try:
        assert trends.heatmap_chart(codes, codes, cells, fmt="png").startswith(b"\x89PNG")
    finally:
        trends.render = real_render
    assert set(codes) <= set(fig_texts)
