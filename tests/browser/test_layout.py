"""Every role's main pages fit the screen: no table wider than its box, no horizontal scroll,
and a one-row navigation, in English and Russian at 1280 and 1400 px (issue #17).

Widths are measured in the page (``scrollWidth`` against the box's ``clientWidth``), so a
failure names the page, the language, the width, the table and both figures. One browser
context per language: each role logs in once, and each page is measured at both widths by
resizing the viewport. A full-page screenshot of every page at every width lands in
``test-output/screenshots/<lang>/<role>-<page>-<width>.png`` (the guides' pictures are made by
test_guides.py).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tracker.demo.builder import build_demo
from tracker.extensions import db
from tracker.models import User

from .conftest import SCREENSHOTS, login, logout

pytestmark = pytest.mark.browser

WIDTHS = (1280, 1400)
HEIGHT = 900

# (role, login, pages); a page is (name, path) or (name, link pattern found on the role's first page).
ROLES = {
    "coo": ("coo@demo.local", [
        ("dashboard", "/dashboard/"),
        ("graph", "/dashboard/graph"),
        ("departments", "/dashboard/departments"),
        ("department", "link:/dashboard/departments/[A-Z]"),
        ("agreement", "link:/dashboard/contracts/\\d+$"),
        ("scorecard", "/scorecard/"),
        ("scorecard-trends", "/scorecard/trends"),
        ("scorecard-heatmap", "/scorecard/heatmap"),
        ("scorecard-compare", "/scorecard/compare"),
        ("follow-ups", "/follow-ups/"),
        ("low-ratings", "/follow-ups/low-ratings"),
        ("rotations", "/rotations/"),
        ("rotation-suggestions", "/rotations/suggestions"),
        ("rotation-plan", "/rotations/plan"),
        ("network", "/network/"),
    ]),
    "head": ("head.wh@demo.local", [
        ("rate", "/rate/"),
        ("rate-agreement", "link:/rate/\\d+$"),
        ("rate-all", "/rate/all"),
        ("feedback", "/rate/feedback"),
        ("departments", "/dashboard/departments"),
        ("follow-ups", "/follow-ups/"),
        ("rotations", "/rotations/"),
    ]),
    "hr": ("hr@demo.local", [
        ("dashboard", "/dashboard/"),
        ("departments", "/dashboard/departments"),
        ("scorecard", "/scorecard/"),
        ("rotation-suggestions", "/rotations/suggestions"),
        ("rotations", "/rotations/"),
        ("rotation-plan", "/rotations/plan"),
    ]),
    "admin": ("admin@demo.local", [
        ("admin", "/admin/"),
        ("periods", "/admin/periods"),
        ("departments", "/admin/departments"),
        ("agreements", "/admin/contracts"),
        ("users", "/admin/users"),
        ("imports", "/admin/imports"),
        ("exports", "/admin/exports"),
        ("settings", "/admin/settings"),
        ("dashboard", "/dashboard/"),
        ("network", "/network/"),
    ]),
    "member": ("member.wh@demo.local", [
        ("rate", "/rate/"),
        ("rate-agreement", "link:/rate/\\d+$"),
    ]),
}

# For every visible table: its own width against its box's, named by caption, label or heading.
MEASURE = """() => {
  const name = (t) => {
    const c = t.querySelector('caption');
    if (c && c.textContent.trim()) return c.textContent.trim();
    if (t.getAttribute('aria-label')) return t.getAttribute('aria-label');
    if (t.id) return '#' + t.id;
    let el = t;
    while (el && el !== document.body) {
      let s = el.previousElementSibling;
      while (s) {
        const h = s.matches('h1,h2,h3,h4,h5,h6') ? s : s.querySelector('h1,h2,h3,h4,h5,h6');
        if (h) return h.textContent.trim().replace(/\\s+/g, ' ');
        s = s.previousElementSibling;
      }
      el = el.parentElement;
    }
    return 'table ' + [...document.querySelectorAll('table')].indexOf(t);
  };
  const tables = [];
  document.querySelectorAll('main table').forEach((t) => {
    if (t.getClientRects().length === 0) return;  // in a closed <details> or an inactive tab
    const box = t.parentElement;
    const boxScrolls = box.scrollWidth > box.clientWidth + 1;
    tables.push({name: name(t), table: t.scrollWidth, box: box.clientWidth, scrolls: boxScrolls});
  });
  // A chart sized to its SVG: the box has the drawing's proportions (no empty band around it).
  const charts = [];
  document.querySelectorAll('main object.dash-fit').forEach((o) => {
    const svg = o.contentDocument && o.contentDocument.documentElement;
    const box = svg && svg.viewBox && svg.viewBox.baseVal;
    if (!box || !box.width) return;
    const r = o.getBoundingClientRect();
    charts.push({name: o.getAttribute('aria-label'), width: r.width, height: r.height,
                 expected: r.width * box.height / box.width});
  });
  return {page: document.documentElement.scrollWidth, window: window.innerWidth, tables: tables, charts: charts};
}"""

# The navigation is one row when every visible item of the bar sits on the same line and the bar
# is as tall as its tallest item.
NAV_ROWS = """() => {
  const bar = document.querySelector('nav.navbar > .container-fluid');
  const items = [...bar.querySelectorAll('.navbar-brand, .navbar-nav > li, .nav-end > *')]
    .filter((e) => e.getClientRects().length);
  const rows = [];
  for (const e of items) {
    const r = e.getBoundingClientRect();
    const mid = r.top + r.height / 2;
    if (!rows.some((m) => Math.abs(m - mid) < 8)) rows.push(mid);
  }
  const tallest = Math.max(...items.map((e) => e.getBoundingClientRect().height));
  return {rows: rows.length, height: bar.getBoundingClientRect().height, line: tallest,
          items: items.map((e) => e.textContent.trim().replace(/\\s+/g, ' ').slice(0, 30))};
}"""


@pytest.fixture
def demo_in(app, request):
    """The demo company in the test's language, every user reading the interface in it."""
    lang = request.param
    build_demo(lang)
    for user in db.session.scalars(db.select(User)):
        user.locale = lang
    db.session.commit()
    return lang


def _resolve(page, base: str, target: str) -> str | None:
    """A page's path: given, or the first link on the current page matching the pattern."""
    if not target.startswith("link:"):
        return target
    pattern = re.compile(target[5:])
    for href in page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))"):
        path = href.split("?")[0].split("#")[0]
        if pattern.search(path):
            return path
    return None


def _shot(page, lang: str, role: str, name: str, width: int) -> None:
    folder = SCREENSHOTS / lang
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{role}-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("demo_in", ["en", "ru"], indirect=True)
def test_every_roles_pages_fit_the_screen_with_a_one_row_navigation(demo_in, page, live_server):
    lang = demo_in
    problems: list[str] = []
    for role, (email, pages) in ROLES.items():
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        login(page, live_server.url, email, "demo")
        assert page.locator("html").get_attribute("lang") == lang
        first = page.url
        for name, target in pages:
            if target.startswith("link:"):
                page.goto(first)
            path = _resolve(page, live_server.url, target)
            if path is None:
                problems.append(f"{lang} {role} {name}: no link matching {target[5:]!r} on {first}")
                continue
            response = page.goto(live_server.url + path)
            if response is None or response.status != 200:
                problems.append(f"{lang} {role} {name} ({path}): HTTP {response and response.status}")
                continue
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": HEIGHT})
                page.wait_for_timeout(50)
                m = page.evaluate(MEASURE)
                where = f"{lang} {width}px {role} {name} ({path})"
                if m["page"] > m["window"]:
                    problems.append(f"{where}: the page scrolls sideways ({m['page']} px in a {m['window']} px window)")
                for t in m["tables"]:
                    if t["table"] > t["box"] or t["scrolls"]:
                        problems.append(f"{where}: table {t['name']!r} is {t['table']} px in a {t['box']} px box")
                for c in m["charts"]:
                    if abs(c["height"] - c["expected"]) > 2:
                        problems.append(f"{where}: chart {c['name']!r} is {c['width']:.0f}×{c['height']:.0f} px, "
                                        f"its drawing needs {c['width']:.0f}×{c['expected']:.0f}")
                nav = page.evaluate(NAV_ROWS)
                if nav["rows"] != 1 or nav["height"] > nav["line"] + 1:
                    problems.append(f"{where}: the navigation takes {nav['rows']} rows, {nav['height']:.0f} px "
                                    f"for a {nav['line']:.0f} px line: {' | '.join(nav['items'])}")
                _shot(page, lang, role, name, width)
        logout(page)
    assert not problems, f"{len(problems)} layout problems:\n" + "\n".join(problems)


@pytest.mark.parametrize("demo_in", ["ru"], indirect=True)
def test_the_more_and_user_menus_open_fit_the_window_and_close(demo_in, page, live_server):
    page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
    login(page, live_server.url, "admin@demo.local", "demo")
    nav = page.get_by_role("navigation", name="Main")
    more = page.locator("#nav-more")
    expect(nav.get_by_role("link", name="Периоды")).to_be_hidden()

    more.locator("summary").click()
    for label in ("Периоды", "Подразделения", "Соглашения", "Пользователи", "Настройки", "Журнал аудита"):
        expect(more.get_by_role("link", name=label)).to_be_visible()
    box = more.locator("ul").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[0], f"the More menu leaves the window: {box}"
    _shot_menu = SCREENSHOTS / "ru" / "admin-more-menu-1280.png"
    page.screenshot(path=str(_shot_menu))

    # Opening the user's menu closes "More"; a click elsewhere and Escape close it.
    user = page.locator("#nav-user")
    user.locator("summary").click()
    expect(more.locator("ul")).to_be_hidden()
    expect(user.get_by_role("link", name="Профиль")).to_be_visible()
    expect(user.get_by_role("link", name="API-токены")).to_be_visible()
    box = user.locator("ul").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTHS[0], f"the user's menu leaves the window: {box}"
    page.locator("main h1").click()
    expect(user.locator("ul")).to_be_hidden()
    more.locator("summary").click()
    page.keyboard.press("Escape")
    expect(more.locator("ul")).to_be_hidden()

    more.locator("summary").click()
    with page.expect_navigation():
        more.get_by_role("link", name="Периоды").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Периоды")
    expect(more.locator("summary")).to_have_class(re.compile(r"\bactive\b"))
