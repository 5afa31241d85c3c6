#!/usr/bin/env bash
# The project's test command: installs what the tests need, then runs the whole test suite.
#   - a Python virtual environment in .venv with the pinned moto[server] (the emulator the moto tests run against)
#   - then `cargo test`
# Usage: scripts/test.sh [extra cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.5

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo is not on PATH; install Rust with rustup (https://rustup.rs) and run this again" >&2
  exit 2
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "error: python3 is not on PATH; the moto tests need it (Debian: apt-get install python3 python3-venv)" >&2
  exit 2
fi

# moto installs while the tests compile: the two take about as long, and neither needs the other.
venv_pid=
if [[ ! -x .venv/bin/moto_server ]] || ! .venv/bin/python -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  echo "installing moto[server]==$MOTO_VERSION into .venv (while the tests compile) ..." >&2
  (python3 -m venv .venv && .venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION") &
  venv_pid=$!
fi

build_status=0
cargo test --locked --no-run "$@" || build_status=$?
if [[ -n "$venv_pid" ]] && ! wait "$venv_pid"; then
  echo "error: failed to install moto[server]==$MOTO_VERSION into .venv (see pip's output above); the tests need it" >&2
  echo "  help: check that python3-venv is installed and PyPI is reachable, then run scripts/test.sh again" >&2
  exit 2
fi
if [[ $build_status -ne 0 ]]; then
  exit "$build_status"
fi

cargo test --locked "$@"
