# Sourced by scripts/demo and scripts/test: make .venv and install piguard into it.
#
# Needs only Python 3.11+ on PATH (python3, or $PYTHON). The install is redone only when
# pyproject.toml changes or the extras asked for differ, so repeated runs start at once.
# Usage: PIGUARD_EXTRAS=dev source scripts/_venv.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PIGUARD_VENV:-$ROOT/.venv}"
EXTRAS="${PIGUARD_EXTRAS:-}"

pick_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11 python; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "piguard: error: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
    return 1
}

if [ ! -x "$VENV/bin/python" ]; then
    PY="$(pick_python)"
    echo "piguard: creating the virtual environment in $VENV" >&2
    "$PY" -m venv "$VENV"
fi

spec="."
[ -n "$EXTRAS" ] && spec=".[$EXTRAS]"
stamp="$VENV/.piguard-install-$(echo "$EXTRAS" | tr ',' '-')"
want="$(cat "$ROOT/pyproject.toml" | "$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "piguard: installing piguard${EXTRAS:+ with extras [$EXTRAS]} (first run or pyproject.toml changed)" >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    (cd "$ROOT" && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec")
    echo "$want" >"$stamp"
fi

export PATH="$VENV/bin:$PATH"
