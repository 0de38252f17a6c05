#!/usr/bin/env bash
# Make .venv, the project's virtual environment, if it is missing, and install wallboard
# into it (editable); `bash scripts/venv.sh test` adds the test dependencies. Quick again
# when nothing changed. The system's python3 (3.11 or newer) makes the venv; on Debian and
# Ubuntu that needs the python3-venv package, installed with apt when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/packages.sh

extras=""
[ "${1:-}" = "test" ] && extras="[test]"
python=${PYTHON:-python3}

if [ ! -x .venv/bin/python ] || [ ! -e .venv/bin/pip ]; then  # missing, or made without pip
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "$0: wallboard needs Python 3.11 or newer; $python is $("$python" -V 2>&1)." >&2
        exit 1
    fi
    if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
        ensure_packages python3-venv  # Debian and Ubuntu ship venv's pip separately
    fi
    "$python" -m venv --clear .venv
fi

stamp=.venv/.wallboard-installed  # what was installed: pyproject.toml's hash and extras
hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
installed=$(cat "$stamp" 2>/dev/null || true)
if [ "$installed" != "$hash $extras" ] && [ "$installed" != "$hash [test]" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras"
    echo "$hash $extras" > "$stamp"
fi
