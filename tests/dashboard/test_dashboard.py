"""The COO's dashboard on the worked example: headline, weak links, access, charts."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from tracker.security import CSP


def text_of(response) -> str:
    """The page's visible text, tags dropped and whitespace squeezed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?(strong|a|span|b|em)\b[^>]*>", "", html)  # inline tags join their text
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/graph.svg", "/dashboard/graph.png",
                                  "/dashboard/departments", "/dashboard/departments/IT", "/dashboard/contracts/1"])
def test_anonymous_is_sent_to_login(client, rated, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/graph.svg", "/dashboard/graph.png"])
def test_head_may_not_see_the_overview(client, auth, rated, path):
    auth.login("head.it@test.local")
    assert client.get(path).status_code == 403


def test_member_sees_no_department_pages(client, auth, rated):
    auth.login("member.it@test.local")
    assert client.get("/dashboard/departments").status_code == 403
    assert client.get("/dashboard/departments/IT").status_code == 403


@pytest.mark.parametrize("email", ["coo@test.local", "hr@test.local", "admin@test.local"])
def test_overview_roles_see_the_dashboard(client, auth, rated, email):
    auth.login(email)
    assert client.get("/dashboard/").status_code == 200


def test_headline_names_wh_to_log_with_the_reasons(client, auth, rated):
    auth.login("coo@test.local")
    text = text_of(client.get("/dashboard/?period=2026-Q3"))
    assert "Most threatening link: WH → LOG (WH service for LOG)" in text
    assert "health 45, critical, reach 5 departments, risk 450" in text
    assert "below the quality floor 50" in text
    assert "5 departments (HR, IT, PROC, WH, FIN)" not in text  # sorted, not graph order
    assert "5 departments (FIN, HR, IT, PROC, WH) reach the external customer through it" in text
    assert "it is the bottleneck of PROC, WH" in text
    assert "risk = (75 − 45) × 3 × 5 = 450" in text


def test_weak_links_table_in_order_with_words(client, auth, rated):
    auth.login("coo@test.local")
    html = client.get("/dashboard/").get_data(as_text=True)
    table = html[html.index('id="weak-heading"'):html.index('id="blind-heading"')]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in rows]
    assert [c.split(" ")[0] for c in cells] == ["1", "2", "3", "4"]
    assert cells[0].startswith("1 WH → LOG WH service for LOG ✗ 45 critical")
    assert "high 5 450 ✗ critical" in cells[0]
    assert cells[1].startswith("2 IT → SALES") and " 120 " in cells[1] and "warning" in cells[1]
    assert cells[2].startswith("3 HR → IT") and " 30 " in cells[2]
    assert cells[3].startswith("4 IT → WH") and " 30 " in cells[3]


def test_side_panels(client, auth, rated):
    auth.login("coo@test.local")
    html = client.get("/dashboard/").get_data(as_text=True)
    blind = text_of_html(html, "blind-heading", "cut-heading")
    assert "FIN → HR" in blind and "FIN service for HR" in blind
    assert "MKT" in text_of_html(html, "cut-heading", "spof-heading")
    spof = text_of_html(html, "spof-heading", "response-heading")
    assert re.search(r"IT 2\b", spof) and re.search(r"LOG 2\b", spof)
    assert re.search(r"WH 1\b", spof) and re.search(r"HR 1\b", spof)
    assert "PROC" not in spof
    response = text_of_html(html, "response-heading", None)
    # HR rates FIN, which is unrated: 0 %; IT rates HR's service: 100 %
    assert re.search(r"HR ! 0\s?%", response) and re.search(r"IT 100\s?%", response)


def text_of_html(html: str, start: str, end: str | None) -> str:
    part = html[html.index(f'id="{start}"'):html.index(f'id="{end}"') if end else None]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))


def test_dashboard_embeds_graph_with_its_own_csp(client, auth, rated):
    auth.login("coo@test.local")
    page = client.get("/dashboard/")
    assert "object-src 'self'" in page.headers["Content-Security-Policy"]
    assert 'data="/dashboard/graph.svg?period=2026-Q3"' in page.get_data(as_text=True)
    svg = client.get("/dashboard/graph.svg?period=2026-Q3")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "style-src 'unsafe-inline'" in svg.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in svg.headers["Content-Security-Policy"]
    root = ET.fromstring(svg.data)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    hrefs = {a.get("{http://www.w3.org/1999/xlink}href") for a in root.iterfind(".//svg:a", ns)}
    assert "/dashboard/departments/WH?period=2026-Q3" in hrefs
    assert any(h.startswith("/dashboard/contracts/") for h in hrefs)
    assert all(a.get("target") == "_top" for a in root.iterfind(".//svg:a", ns))
    titles = [t.text for t in root.iterfind(".//svg:title", ns)]
    assert any(t.startswith("WH → LOG (WH service for LOG): health 45, critical") and "weak link #1" in t
               for t in titles)
    assert "Cycle: FIN ⇄ HR" in titles


def test_other_pages_keep_the_site_csp(client, auth, rated):
    auth.login("coo@test.local")
    assert client.get("/dashboard/departments").headers["Content-Security-Policy"] == CSP


def test_graph_png_download(client, auth, rated):
    auth.login("hr@test.local")
    response = client.get("/dashboard/graph.png?period=2026-Q3")
    assert response.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert "attachment" in response.headers["Content-Disposition"]
    assert "2026-Q3" in response.headers["Content-Disposition"]


def test_unknown_period_is_404(client, auth, rated):
    auth.login("coo@test.local")
    assert client.get("/dashboard/?period=1999-Q1").status_code == 404
    assert client.get("/dashboard/graph.svg?period=1999-Q1").status_code == 404


def test_dashboard_without_periods(client, auth, app):
    from tests import factories

    factories.user("coo@test.local", "coo")
    from tracker.extensions import db

    db.session.commit()
    auth.login("coo@test.local")
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert "There is no period yet" in text_of(response)


def test_no_weak_links_headline(client, auth, org):
    auth.login("coo@test.local")
    text = text_of(client.get("/dashboard/"))
    assert "No weak link" in text
    assert "unrated" in text  # every agreement is a blind spot
