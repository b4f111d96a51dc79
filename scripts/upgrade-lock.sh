#!/usr/bin/env bash
# Upgrade the locked dependencies (uv.lock) to the newest releases pyproject.toml's ranges allow,
# install them, then run every check and test (scripts/test.sh). Commit uv.lock if all is green.
#   ./scripts/upgrade-lock.sh                          # every package
#   ./scripts/upgrade-lock.sh --upgrade-package rq     # one package
source "$(dirname "$0")/setup.sh"
setup_python test dev
cd "$ROOT"
"$VENV/bin/uv" lock "${@:---upgrade}"
git --no-pager diff --stat -- uv.lock || true
exec bash "$ROOT/scripts/test.sh" -q -p no:cacheprovider
