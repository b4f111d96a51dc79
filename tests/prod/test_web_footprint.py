"""What a web process loads (issue 16: a web worker's memory stays flat with the data).

Every gunicorn worker imports ``app.wsgi``; whatever that pulls in is paid once per worker (or
once per host with ``KEHOACH_PRELOAD=1``). The document and signing stacks are the worker's,
the migrations the command line's: a web process that imported them would carry tens of MB it
never uses. Checked in a fresh interpreter, as gunicorn starts one, not in the test process
(which has imported everything), after it has answered the readiness check (which compares the
schema with the migrations).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Top-level packages a web process never needs: the worker's rendering (docxtpl, python-docx),
#: PDF signing and checking (pyHanko and its font stack) and converter client; the command
#: line's migrations (Alembic, Flask-Migrate, Mako).
NOT_FOR_THE_WEB = [
    "pyhanko",
    "fontTools",
    "docxtpl",
    "docx",
    "unoserver",
    "worker",
    "alembic",
    "flask_migrate",
    "mako",
]


def _loaded_by_web(tmp_path: Path) -> list[str]:
    """The top-level packages a fresh interpreter has once gunicorn's entry point is imported."""
    env = {
        **os.environ,
        "KEHOACH_SECRET_KEY": "f" * 64,
        "KEHOACH_INSTANCE": str(tmp_path / "web"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
    }
    env.pop("REDIS_URL", None)
    code = (
        "import json, sys\n"
        "import app.wsgi\n"
        "ready = app.wsgi.app.test_client().get('/ready').get_json()\n"
        "assert 'migrations' in ready['checks'], ready\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_web_process_never_loads_the_document_signing_and_migration_stacks(tmp_path) -> None:  # noqa: ANN001
    loaded = _loaded_by_web(tmp_path)
    assert "flask" in loaded and "app" in loaded  # the app itself did load
    assert [name for name in NOT_FOR_THE_WEB if name in loaded] == []
