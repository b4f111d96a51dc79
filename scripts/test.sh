#!/usr/bin/env bash
# The second README command: set up and run every test, on SQLite and on PostgreSQL, with a
# real Redis, a real LibreOffice and a real headless Chromium. Extra arguments go to pytest.
source "$(dirname "$0")/setup.sh"
setup_python test dev
setup_system_packages chromium
ensure_postgres
ensure_redis
cd "$ROOT"
set +e
"$VENV/bin/python" -m pytest "$@"
code=$?
[ $code -eq 5 ] && say "Không có bài kiểm tra nào được chạy." && exit 1
exit $code
