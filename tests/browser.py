"""What every browser test shares: Debian's Chromium with the flags this closed network needs,
the screenshot folder, the app served on a free loopback port in a thread, signing in, and the
page's script errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from werkzeug.serving import BaseWSGIServer, make_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

PASSWORD = "secret-pass"  # every test user's (tests.conftest.add_user)
SHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"  # Debian's package; the tests never download a browser
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# How long an ``expect`` waits for the page (Playwright's default is 5 s): a page that answers
# through the app served in the test's own process takes longer on a loaded machine. Only a
# failing check waits that long.
EXPECT_TIMEOUT_MS = 30_000


def serve(app) -> tuple[BaseWSGIServer, str]:  # noqa: ANN001
    """Serve ``app`` on 127.0.0.1 at a free port; returns the server (call ``shutdown()``) and
    its base URL. Every browser test starts here: the ``expect`` timeout is set for them all."""
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@contextmanager
def chromium(app) -> Iterator[tuple[Browser, str]]:  # noqa: ANN001
    """``app`` served (see :func:`serve`) and Chromium launched: yields the browser and the base
    URL; stops both afterwards, whatever happened."""
    from playwright.sync_api import sync_playwright  # imported only by the browser tests

    server, base = serve(app)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                yield browser, base
            finally:
                browser.close()
    finally:
        server.shutdown()


def sign_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in on the login page as ``username`` (whoever was signed in is signed out first)."""
    page.context.clear_cookies()
    page.goto(base + "/auth/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.keyboard.press("Enter")
    page.wait_for_url(base + "/")


def fill(page: Page, fields: dict[str, str]) -> None:
    """Enter each field's value, in order, as a user would: a ``<select>`` gets the option of
    that value, any other field the text typed in (``fields``: selector → value)."""
    for selector, value in fields.items():
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)


def wait_until(page: Page, cond: str | Callable[[], object], seconds: float = 30) -> None:
    """Check ``cond`` (a script expression evaluated in the page, or a function) every 100 ms
    until it holds or ``seconds`` have passed (the pages' CSP forbids ``wait_for_function``); the
    caller then asserts what it needs."""
    check = (lambda: page.evaluate(cond)) if isinstance(cond, str) else cond
    end = time.monotonic() + seconds
    while not check() and time.monotonic() < end:
        page.wait_for_timeout(100)


def console_errors(page: Page) -> list[str]:
    """The errors the page's scripts log from now on (a resource that failed to load aside; the
    list fills as the page runs)."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("console", on_console)
    return errors
