#!/usr/bin/env bash
# The second README command: set up and run every test, on SQLite and on PostgreSQL, with a
# real Redis, a real LibreOffice and a real headless Chromium, after the static checks
# (scripts/check.sh). Tests run in parallel (pytest-xdist, KEHOACH_TEST_WORKERS processes,
# default one per CPU; each has its own SQLite file and PostgreSQL database). Extra arguments go
# to pytest.
source "$(dirname "$0")/setup.sh"
setup_python test dev
setup_system_packages chromium
ensure_postgres
ensure_redis
cd "$ROOT"
# The suite starts many Python processes (xdist workers, RQ workers, spawned processes): keep the
# compiled bytecode between them even where PYTHONDONTWRITEBYTECODE is set, inside the venv.
unset PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX="$VENV/pycache"
set +e
bash "$ROOT/scripts/check.sh"
checks=$?
"$VENV/bin/python" -m pytest -n "${KEHOACH_TEST_WORKERS:-auto}" --dist loadgroup "$@"
code=$?
[ $code -eq 5 ] && say "Không có bài kiểm tra nào được chạy." && code=1
[ $checks -ne 0 ] && say "Các bài kiểm tra tĩnh (scripts/check.sh) không đạt." && [ $code -eq 0 ] && code=1
exit $code
