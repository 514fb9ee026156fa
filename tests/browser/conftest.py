"""Browser fixtures: a live server on a free port and a real Chromium driven by Playwright.

The server runs the app in a background thread (werkzeug, threaded) against the same
temporary database as the test (SQLite file, or ``TEST_DATABASE_URL``). CSRF is on, as in
production, because the browser submits the real forms. Every page fails its test on a
console error or an uncaught page error (a CSP violation is a console error) and leaves
a screenshot in ``test-output/screenshots/<test name>.png``.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash
from werkzeug.serving import WSGIRequestHandler, make_server

from tracker import create_app
from tracker.extensions import db
from tracker.models import user as user_model

from ..conftest import prepared_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
TIMEOUT_MS = 10_000


def _fast_password_hash(password: str) -> str:
    return generate_password_hash(password, method="pbkdf2:sha256:1000")


@pytest.fixture
def app(database_url, monkeypatch, tmp_path):
    """The app with CSRF on and rate limits off (overrides the ``app`` of tests/conftest.py).

    Passwords are hashed with few rounds: the seeded users and every login would otherwise
    spend most of the suite's time in scrypt (``check_password_hash`` reads the method from
    the hash, so logins go through the real code).
    """
    monkeypatch.setattr(user_model, "generate_password_hash", _fast_password_hash)
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
        "CHART_CACHE_DIR": str(tmp_path / "charts"),
    })
    yield from prepared_database(app)


class _QuietHandler(WSGIRequestHandler):
    """A request handler that keeps the access log out of the test output."""

    def log_request(self, code="-", size="-") -> None:
        pass


class LiveServer:
    """The app served on 127.0.0.1 at a free port, in a daemon thread."""

    def __init__(self, app):
        self._server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def live_server(app):
    """Serve ``app``; seed the database (e.g. with the ``org`` fixture) before the first request."""
    server = LiveServer(app)
    server.start()
    # The test thread keeps its own session; drop what it holds so the server sees fresh rows.
    db.session.commit()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session (never a downloaded browser)."""
    if not os.path.exists(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI: " + message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageErrors:
    """Console errors and uncaught page errors of one test; a test may allow an expected one."""

    def __init__(self):
        self.messages: list[str] = []
        self._allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        """Ignore errors matching the regular expression ``pattern`` (e.g. an expected 403)."""
        self._allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [m for m in self.messages if not any(p.search(m) for p in self._allowed)]


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def page(browser, live_server, page_errors, request):
    """A fresh context and page at the live server; screenshot on teardown; console errors fail."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    pg.on("console", lambda msg: page_errors.messages.append(f"console {msg.text} at {msg.location.get('url')}")
          if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: page_errors.messages.append(f"pageerror {exc}"))
    yield pg
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        pg.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
    errors = page_errors.unexpected()
    if errors:
        pytest.fail("errors in the browser console:\n" + "\n".join(errors), pytrace=False)


def login(page, base_url: str, email: str, password: str = "pw") -> None:
    """Log in through the real login form and wait for the page it leads to (in any interface language)."""
    page.goto(base_url + "/login")
    form = page.locator("main form")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("[type=submit]").click()


def logout(page) -> None:
    """Log out with the header button (a POST carrying the CSRF token), in any interface language."""
    with page.expect_navigation():
        page.locator("form[action='/logout'] [type=submit]").click()


def shot(page, name: str) -> None:
    """Save a full-page screenshot of a step of a journey as ``test-output/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
