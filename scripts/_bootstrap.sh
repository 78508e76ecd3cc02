# shellcheck shell=bash
# Sourced by every script: creates .venv with the pinned dependencies on first use (or when
# pyproject.toml or constraints.txt changed since), then puts it first on PATH.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
export NO_MKDOCS_2_WARNING=1
# Messages name ./scripts/<command> rather than the installed policy-site <command>.
export POLICY_SITE_SCRIPTS=1

_find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "Python 3.11 or newer is needed: install it (Debian: apt-get install python3) or set PYTHON." >&2
  return 1
}

_stamp="$(cat "$ROOT/pyproject.toml" "$ROOT/constraints.txt" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$_stamp" ]; then
  echo "Setting up $VENV with the pinned dependencies (first run, or they changed)..."
  python="$(_find_python)"
  "$python" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c "$ROOT/constraints.txt" -e "$ROOT[dev]"
  echo "$_stamp" >"$VENV/.installed"
fi
export PATH="$VENV/bin:$PATH"
cd "$ROOT"
