#!/usr/bin/env bash
# Install everything the test suite needs, then run all of it (arguments go to pytest).
# System packages (scripts/packages.sh) come from apt when missing; the Python ones go
# into .venv (scripts/venv.sh), the same virtual environment the README's board uses.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/packages.sh

ensure_packages "${TEST_PACKAGES[@]}"
bash scripts/venv.sh test
exec .venv/bin/python -m pytest "$@"
