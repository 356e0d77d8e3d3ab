"""Browser journeys: the app served on a free local port, driven by Playwright in Debian's
chromium. Without /usr/bin/chromium or Playwright these tests skip (and fail in CI)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms import create_app
from lms.extensions import db
from tests.conftest import make_config, temporary_postgres_database
from tests.helpers import skip_or_fail

CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_ROOT = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@dataclass
class LiveServer:
    url: str
    app: object

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@contextlib.contextmanager
def _database(tmp_path: Path) -> Iterator[str]:
    admin_url = os.environ.get("LMS_TEST_DATABASE_URL")
    if admin_url:
        with temporary_postgres_database(admin_url) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'live.db'}"


@contextlib.contextmanager
def serve(tmp_path: Path, *, demo: bool) -> Iterator[LiveServer]:
    with _database(tmp_path) as database_url:
        config = make_config(
            database_url, tmp_path / "instance", WTF_CSRF_ENABLED=True, TESTING=False
        )
        app = create_app(config)
        with app.app_context():
            db.create_all()
            if demo:
                from lms.demo import build_demo

                build_demo()
            db.session.remove()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def live_server(tmp_path) -> Iterator[LiveServer]:
    """The app with an empty schema."""
    with serve(tmp_path, demo=False) as server:
        yield server


@pytest.fixture
def demo_server(tmp_path) -> Iterator[LiveServer]:
    """The app with the demo company of `lms demo` (accounts, content, history)."""
    with serve(tmp_path, demo=True) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        skip_or_fail(f"no chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context (no cookies) at desktop size, English."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def new_page(browser):
    """Open more pages: `new_page(width=390, locale="zh-CN")` for a phone in Chinese."""
    contexts = []

    def open_page(width: int = 1280, height: int = 900, locale: str = "en-US"):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    """`screenshot(page, "name")` saves test-results/screenshots/<test>/<name>.png."""
    folder = SCREENSHOT_ROOT / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def log_in(
    page, server: LiveServer, email: str, password: str, totp_secret: str | None = None
) -> None:
    """Sign in; when the code step comes (admins, people with two-factor sign-in), enter the
    current code of `totp_secret` (by default the demo admin's key)."""
    page.goto(server("/login"))
    page.get_by_label(re.compile("E-mail|电子邮件|邮箱")).fill(email)
    page.get_by_label(re.compile("^(Password|密码)$")).fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if page.url.split("?")[0].endswith("/login/code"):
        import pyotp

        from lms.demo import DEMO_ADMIN_TOTP_SECRET

        code = pyotp.TOTP(totp_secret or DEMO_ADMIN_TOTP_SECRET).now()
        page.locator("main form input[name=code]").fill(code)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
