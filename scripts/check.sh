#!/usr/bin/env bash
# The static checks, as CI runs them (scripts/test.sh runs them first): ruff lint and format,
# mypy, the import-linter contracts, and the installed packages being exactly uv.lock's.
# Runs every check and fails if any of them finds something.
source "$(dirname "$0")/setup.sh"
setup_python test dev
cd "$ROOT"
failed=()
check() {  # check NAME COMMAND... – run one check, remember a failure
  local name="$1"; shift
  say "Kiểm tra: $name"
  "$@" || failed+=("$name")
}
check "ruff check" "$VENV/bin/ruff" check .
check "ruff format --check" "$VENV/bin/ruff" format --check .
check "mypy" "$VENV/bin/mypy" app workflows forms worker
check "import-linter" "$VENV/bin/lint-imports" --no-cache
# exact: a package missing, of another version, or not in the lock fails
check "uv.lock = .venv" env UV_PROJECT_ENVIRONMENT="$VENV" "$VENV/bin/uv" sync --frozen --check \
  --extra test --extra dev --python "$VENV/bin/python" --quiet
if [ ${#failed[@]} -gt 0 ]; then
  say "Kiểm tra không đạt: ${failed[*]}"
  exit 1
fi
say "Mọi kiểm tra đều đạt."
