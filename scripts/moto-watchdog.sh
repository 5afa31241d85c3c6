#!/usr/bin/env bash
# Runs moto_server on PORT and restarts it whenever its memory passes LIMIT_KB (default 6,000,000 KB), for the moto
# matrix of every service: moto's DirectConnect CreateLag with a large valid numberOfConnections makes moto build that
# many connections (15 GB and climbing, every later request timing out). A restart loses moto's state; conform waits
# for a target that refuses connections within --timeout, so no case is lost to the restart itself.
#
# usage: scripts/moto-watchdog.sh PORT [LIMIT_KB]    # logs restarts to .emulators/moto-PORT.watchdog.log; Ctrl-C ends it
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:?usage: scripts/moto-watchdog.sh PORT [LIMIT_KB]}
limit_kb=${2:-6000000}
[[ $port =~ ^[0-9]+$ ]] || { echo "error: port \`$port\` is not a number" >&2; exit 2; }
[[ -x .venv/bin/moto_server ]] || { echo "error: .venv/bin/moto_server is missing; run scripts/test.sh --no-run" >&2; exit 2; }
mkdir -p .emulators
log=.emulators/moto-$port.watchdog.log
pid=
start() {
  .venv/bin/moto_server -p "$port" >>".emulators/moto-$port.log" 2>&1 &
  pid=$!
}
trap 'kill "$pid" 2>/dev/null; exit 0' INT TERM
start
while true; do
  rss=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ' || true)
  if [[ -z $rss ]]; then
    echo "$(date -u +%T) moto on $port gone; restarting" >>"$log"
    start
  elif ((rss > limit_kb)); then
    echo "$(date -u +%T) moto on $port at $rss KB; restarting" >>"$log"
    kill -9 "$pid" 2>/dev/null || true
    sleep 0.3
    start
  fi
  sleep 1
done
