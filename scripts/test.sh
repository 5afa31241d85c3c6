#!/usr/bin/env bash
# The project's test command: installs what the tests need, then runs the whole test suite.
# Usage: scripts/test.sh [extra cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo is not on PATH; install Rust with rustup (https://rustup.rs) and run this again" >&2
  exit 2
fi

cargo test --locked "$@"
