#!/usr/bin/env bash
# Shared setup for the two README commands. Sourced, not run.
#   setup_python [extras]   – .venv with the project installed
#   setup_system_packages   – LibreOffice, fonts, Chromium, poppler (Debian/Ubuntu, as root or sudo)
#   ensure_postgres / ensure_redis – a running server on 127.0.0.1 (installed and started if needed)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${KEHOACH_VENV:-$ROOT/.venv}"
say() { printf '\033[1m[kehoach]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

_apt_updated=""
apt_install() {  # apt_install PKG... (only the missing ones)
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || { say "Thiếu gói hệ thống: ${missing[*]} (không có apt-get)"; return 1; }
  if [ -z "$_apt_updated" ]; then as_root apt-get update -qq || true; _apt_updated=1; fi
  say "Cài gói hệ thống: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

UV_VERSION="0.13.9"   # the installer of the locked dependencies (uv.lock); bump on purpose

setup_python() {  # setup_python [extra ...] – .venv with exactly the versions of uv.lock
  local py="${PYTHON:-python3}"
  "$py" -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ required"'
  if [ ! -x "$VENV/bin/python" ]; then
    say "Tạo môi trường Python tại $VENV"
    "$py" -m venv "$VENV" || { apt_install python3-venv && "$py" -m venv "$VENV"; }
  fi
  if [ "$("$VENV/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    "$VENV/bin/python" -m pip install -q "uv==$UV_VERSION"
  fi
  local extras=() e
  for e in "$@"; do extras+=(--extra "$e"); done
  local stamp
  stamp="$VENV/.installed-$(cat "$ROOT/uv.lock" "$ROOT/pyproject.toml" | sha1sum | cut -c1-12)-${*// /-}"
  [ -f "$stamp" ] || say "Cài thư viện Python theo uv.lock ${*:+(${*})}"
  # Every time: uv checks in well under a second, and reinstalls the project itself when its
  # files were touched (a checkout, a merge) even if the lock did not change.
  (cd "$ROOT" && UV_PROJECT_ENVIRONMENT="$VENV" "$VENV/bin/uv" sync --frozen --inexact \
    --python "$VENV/bin/python" --quiet "${extras[@]}")
  rm -f "$VENV"/.installed-*
  touch "$stamp"
}

setup_system_packages() {  # documents (LibreOffice → PDF) and, for tests, the browser
  apt_install libreoffice-writer-nogui libreoffice-calc-nogui python3-uno fonts-liberation2 poppler-utils "$@" \
    || say "Không cài được gói hệ thống; chuyển PDF sẽ báo lỗi rõ ràng."
}

pg_ok() { "$VENV/bin/python" - "$1" <<'PY' >/dev/null 2>&1
import sys, psycopg
psycopg.connect(sys.argv[1].replace("postgresql+psycopg", "postgresql"), connect_timeout=3).close()
PY
}

ensure_postgres() {  # sets TEST_POSTGRES_URL
  export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgresql://postgres:postgres@127.0.0.1:5432/postgres}"
  pg_ok "$TEST_POSTGRES_URL" && return 0
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql; fi
  say "Khởi động PostgreSQL"
  local ver; ver="$(ls /etc/postgresql | sort -V | tail -1)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null \
    || as_root pg_ctlcluster "$ver" main start 2>/dev/null || true
  for _ in $(seq 1 30); do pg_ok "$TEST_POSTGRES_URL" && return 0
    as_root su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null 2>&1 || true
    sleep 1; done
  say "PostgreSQL không kết nối được tại $TEST_POSTGRES_URL"; return 1
}

ensure_redis() {  # sets TEST_REDIS_URL
  export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
  local ping='import sys, redis; redis.Redis.from_url(sys.argv[1], socket_timeout=2).ping()'
  "$VENV/bin/python" -c "$ping" "$TEST_REDIS_URL" 2>/dev/null && return 0
  command -v redis-server >/dev/null || apt_install redis-server
  say "Khởi động Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp >/dev/null
  for _ in $(seq 1 20); do "$VENV/bin/python" -c "$ping" "$TEST_REDIS_URL" 2>/dev/null && return 0; sleep 0.5; done
  say "Redis không kết nối được tại $TEST_REDIS_URL"; return 1
}
