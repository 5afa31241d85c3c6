#!/usr/bin/env bash
# Runs `conform run` against the embedded target (no --endpoint) for every service of the published models that
# conform speaks, one process per service, and prints one line per service with its counts; the table at the end
# sums them. A clean sweep has 0 failed and 0 errors everywhere: the embedded target serves the same model the
# generator and the oracle read, so any deviation is a defect of conform itself (generator, protocol, oracle).
#
# usage: scripts/embedded-sweep.sh [CONFORM_BIN] [OUT_DIR] [extra conform run arguments...]
#   e.g. scripts/embedded-sweep.sh target/release/conform /tmp/sweep --cases 0
# Environment: CONFORM_MODELS (botocore's data directory; else the installed botocore), SWEEP_TIMEOUT (seconds per
# service, default 600), SWEEP_ONLY (a regular expression of service names).
set -uo pipefail
bin=${1:-target/release/conform}
out=${2:-/tmp/conform-sweep}
shift 2 2>/dev/null || shift $#
extra=("$@")
[[ ${#extra[@]} -eq 0 ]] && extra=(--cases 0)
mkdir -p "$out"
timeout_s=${SWEEP_TIMEOUT:-600}
services=$("$bin" spec list 2>/dev/null | awk '/^Services of AWS/ {on=1; next} on && NF>=3 && $1!="SERVICE" {print $1" "$2}' |
  awk '$2 ~ /^(awsJson1_0|awsJson1_1|restJson1|awsQuery|ec2Query|rpcv2Cbor|restXml)$/ || ($2=="(spec" ) {print $1}')
if [[ -z $services ]]; then
  echo "error: failed to list the models' services with '$bin spec list'; is botocore installed (pip install botocore) or CONFORM_MODELS set?" >&2
  exit 2
fi
printf '%-40s %6s %9s %7s %7s %9s %7s %8s\n' SERVICE EXIT CASES PASSED FAILED UNCERTAIN ERRORS SECONDS
for s in $services; do
  [[ -n ${SWEEP_ONLY:-} && ! $s =~ ${SWEEP_ONLY} ]] && continue
  start=$(date +%s.%N)
  timeout "$timeout_s" "$bin" run --service "$s" "${extra[@]}" --json "$out/$s.json" >"$out/$s.out" 2>"$out/$s.err"
  rc=$?
  end=$(date +%s.%N)
  python3 - "$s" "$rc" "$out/$s.json" "$start" "$end" <<'PY'
import json, sys
s, rc, path, start, end = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
try:
    m = json.load(open(path))["summary"]
    row = (m["total"], m["passed"], m["failed"], m["uncertain"], m["errors"])
except Exception:
    row = ("-",) * 5
print(f"{s:<40} {rc:>6} {row[0]:>9} {row[1]:>7} {row[2]:>7} {row[3]:>9} {row[4]:>7} {end - start:>8.1f}", flush=True)
PY
done
