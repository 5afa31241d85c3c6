#!/usr/bin/env bash
# Installs and starts a second real AWS emulator on loopback, for the fidelity matrix beside moto:
#   fakecloud   (Rust; `cargo install fakecloud --locked`: about 30 minutes to build on 2 cores)
#   localstack  (LocalStack's community runtime without Docker: `pip install 'localstack-core[runtime]'`, Python 3.12+)
# Neither is part of `.ci/run` (too slow to build, or a Python this project's CI does not have).
#
# usage: scripts/emulator.sh install fakecloud|localstack
#        scripts/emulator.sh start   fakecloud|localstack [PORT]    # prints the endpoint; logs to .emulators/NAME.log
#        scripts/emulator.sh stop    fakecloud|localstack
# Everything goes under .emulators/ in the repository (ignored by git): fakecloud's binary, LocalStack's venv, the
# pid files, the logs and LocalStack's self-signed certificate.
#
# Then, for example:
#   conform run --endpoint http://127.0.0.1:4566 --service all --json fakecloud.json --matrix-md fakecloud.md
#   conform report matrix moto.json fakecloud.json
set -euo pipefail
cd "$(dirname "$0")/.."

FAKECLOUD_VERSION=${FAKECLOUD_VERSION:-}   # empty: the newest on crates.io
LOCALSTACK_SPEC=${LOCALSTACK_SPEC:-'localstack-core[runtime]'}
dir=.emulators
mkdir -p "$dir"

die() {
  echo "error: $1" >&2
  [[ -n ${2:-} ]] && echo "  help: $2" >&2
  exit 2
}

usage() {
  sed -n '7,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[[ $# -ge 2 ]] || usage
action=$1
name=$2
port=${3:-4566}
[[ $port =~ ^[0-9]+$ && $port -ge 1 && $port -le 65535 ]] || die "port \`$port\` is not a number from 1 to 65535"

python312() {
  for p in python3.13 python3.12 python3; do
    if command -v "$p" >/dev/null 2>&1 &&
      "$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  return 1
}

wait_for() {
  # Waits until the port answers HTTP (any status), or the process dies, or 120 s pass.
  local pid=$1
  for _ in $(seq 1 240); do
    if ! kill -0 "$pid" 2>/dev/null; then
      die "failed to start $name: it exited (see $dir/$name.log)" "tail $dir/$name.log"
    fi
    if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
      echo "http://127.0.0.1:$port"
      return
    fi
    sleep 0.5
  done
  die "failed to start $name: nothing answers on 127.0.0.1:$port after 120 s (see $dir/$name.log)"
}

case "$action:$name" in
install:fakecloud)
  command -v cargo >/dev/null 2>&1 || die "cargo is not on PATH" "install Rust with rustup (https://rustup.rs)"
  version_args=()
  [[ -n $FAKECLOUD_VERSION ]] && version_args=(--version "$FAKECLOUD_VERSION")
  echo "building fakecloud with cargo install (about 30 minutes on 2 cores) ..." >&2
  cargo install fakecloud --locked "${version_args[@]}" --root "$dir/fakecloud"
  "$dir/fakecloud/bin/fakecloud" --version
  ;;
install:localstack)
  py=$(python312) || die "LocalStack's runtime needs Python 3.12 or newer, and none is on PATH" \
    "install python3.12 (Debian: apt-get install python3.12 python3.12-venv), then run this again"
  "$py" -m venv "$dir/localstack-venv"
  # cbor2 6 changed its API under LocalStack's CBOR handling; the runtime works with 5.x.
  "$dir/localstack-venv/bin/pip" install --quiet --disable-pip-version-check "$LOCALSTACK_SPEC" 'cbor2<6'
  "$dir/localstack-venv/bin/python" -c 'import localstack, importlib.metadata as m; print("localstack-core", m.version("localstack-core"))'
  ;;
start:fakecloud)
  bin=$dir/fakecloud/bin/fakecloud
  [[ -x $bin ]] || die "fakecloud is not installed" "scripts/emulator.sh install fakecloud"
  "$bin" --addr "127.0.0.1:$port" >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
  wait_for $!
  ;;
start:localstack)
  venv=$dir/localstack-venv
  [[ -x $venv/bin/python ]] || die "LocalStack is not installed" "scripts/emulator.sh install localstack"
  # LocalStack fetches a TLS certificate from the internet at start unless it is given one: a self-signed one,
  # made once, keeps it on loopback.
  cert=$dir/localstack-cert.pem
  if [[ ! -s $cert ]]; then
    command -v openssl >/dev/null 2>&1 || die "openssl is needed to make LocalStack's certificate" "apt-get install openssl"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost.localstack.cloud \
      -keyout "$dir/localstack-key.pem" -out "$dir/localstack-cert.crt" >/dev/null 2>&1
    cat "$dir/localstack-key.pem" "$dir/localstack-cert.crt" >"$cert"
  fi
  GATEWAY_LISTEN="127.0.0.1:$port" CUSTOM_SSL_CERT_PATH="$PWD/$cert" SKIP_SSL_CERT_DOWNLOAD=1 \
    LOCALSTACK_HOST="127.0.0.1:$port" DISABLE_EVENTS=1 \
    "$venv/bin/python" -m localstack.runtime.main >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
  wait_for $!
  ;;
stop:fakecloud | stop:localstack)
  [[ -s $dir/$name.pid ]] || die "$name was not started by this script (no $dir/$name.pid)"
  kill "$(cat "$dir/$name.pid")" 2>/dev/null || true
  rm -f "$dir/$name.pid"
  ;;
*)
  case "$name" in fakecloud | localstack) ;; *) die "unknown emulator \`$name\`" "fakecloud or localstack" ;; esac
  usage
  ;;
esac
