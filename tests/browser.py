"""What every browser test shares: Debian's Chromium with the flags this closed network needs,
the screenshot folder, and the app served on a free loopback port in a thread."""

from __future__ import annotations

import threading
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, make_server

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


def serve(app) -> tuple[BaseWSGIServer, str]:  # noqa: ANN001
    """Serve ``app`` on 127.0.0.1 at a free port; returns the server (call ``shutdown()``) and
    its base URL."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"
