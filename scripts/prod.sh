#!/usr/bin/env bash
# The production command: gunicorn (web) + N RQ workers, run by honcho from the Procfile, against
# the PostgreSQL and Redis given by DATABASE_URL and REDIS_URL.
#
#   DATABASE_URL=postgresql+psycopg://kehoach:…@db/kehoach REDIS_URL=redis://cache:6379/0 \
#   KEHOACH_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))') \
#   ./scripts/prod.sh [--port 8000] [--workers 2]
#
# Variables may also be put in a file named .env beside the Procfile (honcho reads it) or in
# KEHOACH_ENV_FILE. Before starting, the schema is upgraded (Alembic) and `kehoach doctor` checks
# the configuration; it refuses to start on what would break (default secret key, no database,
# no Redis). Stop with Ctrl-C or SIGTERM: honcho stops every process it started.
source "$(dirname "$0")/setup.sh"
PORT="${PORT:-8000}"
WORKERS="${KEHOACH_RQ_WORKERS:-2}"
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    *) say "Tham số không hợp lệ: $1"; exit 2 ;;
  esac
done
if [ -n "${KEHOACH_ENV_FILE:-}" ]; then set -a; source "$KEHOACH_ENV_FILE"; set +a; fi
if [ -f "$ROOT/.env" ]; then set -a; source "$ROOT/.env"; set +a; fi
[ "${KEHOACH_SKIP_SETUP:-}" = 1 ] || { setup_python; setup_system_packages || true; }
cd "$ROOT"
export PATH="$VENV/bin:$PATH" PORT
: "${DATABASE_URL:?Chưa đặt DATABASE_URL (PostgreSQL) cho môi trường sản xuất}"
: "${REDIS_URL:?Chưa đặt REDIS_URL cho môi trường sản xuất}"
kehoach init-db
kehoach doctor --before-start
exec honcho start --no-colour -f "$ROOT/Procfile" -d "$ROOT" -p "$PORT" -c "worker=$WORKERS"
