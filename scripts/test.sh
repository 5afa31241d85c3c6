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

if [[ ! -x .venv/bin/moto_server ]] || ! .venv/bin/python -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
  echo "installing moto[server]==$MOTO_VERSION into .venv ..." >&2
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

cargo test --locked "$@"
