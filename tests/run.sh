#!/usr/bin/env bash
# Install everything the tests need (if missing), then run the tests.
#
#   bash tests/run.sh            every test: the quick loop, then the slow and browser tests
#   bash tests/run.sh --quick    the quick loop only (-m "not browser and not slow")
#   bash tests/run.sh ARGS...    pytest ARGS (e.g. tests/deliver -k postgres)
#
# Python packages go into a virtual environment (.venv here, or $DIGEST_VENV), never into the
# system Python (Debian refuses that anyway). A throwaway PostgreSQL server is started on a
# private port for the run and stopped at exit, so the PostgreSQL tests always run. A skipped
# test fails the run unless its reason is listed in EXPECTED_SKIPS below.
set -euo pipefail
cd "$(dirname "$0")/.."
begun=$SECONDS

# Reasons (substrings) a skip may give without failing the run. None today: every tool a test
# needs is installed below, so a skip means something is missing.
EXPECTED_SKIPS=()

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else echo "tests/run.sh: needs root: $*" >&2; return 1; fi; }
apt_updated=
apt_install() {
  [[ -n $apt_updated ]] || { as_root apt-get update -qq; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# --- Debian packages: Chromium for the browser tests (never `playwright install`),
# SpamAssassin for `digest check`, the PostgreSQL server, venv for Python. Only when missing.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v spamassassin >/dev/null 2>&1 || missing+=(spamassassin)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if ((${#missing[@]})); then apt_install "${missing[@]}"; fi

# --- Python: the project and its test, postgres extras, in a virtual environment.
venv=${DIGEST_VENV:-.venv}
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
# shellcheck disable=SC1091
. "$venv/bin/activate"
# Reinstall only when the dependencies changed: pip takes seconds even with nothing to do.
stamp=$venv/.digest-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  python -m pip install --quiet --disable-pip-version-check -e '.[test,postgres]'
  echo "$want" >"$stamp"
fi

# --- Node tools for `digest check` (caniemail data, html-validate, axe-core), pinned here.
if ! command -v npm >/dev/null 2>&1; then apt_install npm; fi
(cd tests/node && { [[ -d node_modules ]] || npm ci --silent --no-audit --no-fund; })

ruff check digest tests bench
mypy

# --- A throwaway PostgreSQL server: its own data folder, a free port on 127.0.0.1, trust
# auth for the user `digest`. Run as `postgres` when we are root (initdb refuses root).
pg_dir= pg_bin=
stop_postgres() {
  if [[ -n $pg_dir ]]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
start_postgres() {
  pg_bin=$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -1)")
  pg_dir=$(mktemp -d /tmp/digest-pg.XXXXXX)
  as_pg=()
  if [[ $(id -u) -eq 0 ]]; then chown postgres "$pg_dir"; as_pg=(runuser -u postgres --); fi
  trap stop_postgres EXIT
  "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U digest >/dev/null
  local port
  port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # fsync off: a test server that never outlives the run; the tests kill clients, not it.
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -w -l "$pg_dir/log" -o \
    "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" \
    start >/dev/null
  export DIGEST_TEST_POSTGRES="postgresql+psycopg://digest@127.0.0.1:$port/postgres"
}
[[ -n ${DIGEST_TEST_POSTGRES:-} ]] || start_postgres

# --- pytest, on both cores (pytest-xdist); junit reports to count and explain skips.
reports=$(mktemp -d /tmp/digest-tests.XXXXXX)
status=0
phase() {  # phase NAME PYTEST-ARGS...: run pytest, time it
  local name=$1 start rc=0
  shift
  start=$(date +%s.%N)
  python -m pytest -q -n "${DIGEST_TEST_WORKERS:-auto}" --dist worksteal --junitxml="$reports/$name.xml" "$@" || rc=$?
  times+=("$name=$(python -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$start" "$(date +%s.%N)")")
  if ((rc != 0 && rc != 5)); then status=$rc; fi  # 5: no test selected by this phase
}
times=()
case ${1:-} in
  "") phase quick -m "not browser and not slow"
      phase slow -m "browser or slow" ;;
  --quick) shift; phase quick -m "not browser and not slow" "$@" ;;
  *) phase run "$@" ;;
esac

note=0
python - "$reports" "$(IFS=,; echo "${times[*]}")" "$((SECONDS - begun))" \
  "${EXPECTED_SKIPS[@]}" <<'EOF' || note=$?
"""The closing note: times per phase, every skip with its reason, the totals last."""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

folder, times, whole, expected = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
tests = failed = 0
skips = []
for report in sorted(folder.glob("*.xml")):
    for case in ET.parse(report).iter("testcase"):
        tests += 1
        failed += case.find("failure") is not None or case.find("error") is not None
        for skip in case.iter("skipped"):
            skips.append((f"{case.get('classname')}::{case.get('name')}",
                          skip.get("message") or ""))
unexpected = [s for s in skips if not any(e in s[1] for e in expected)]
for name, why in skips:
    print(f"skipped: {name}: {why}" + ("" if (name, why) not in unexpected else
                                       "  (not an expected skip: fails the run)"))
phases = {name: float(took) for name, took in (t.split("=") for t in times.split(",") if t)}
names = {"quick": "quick loop", "slow": "slow and browser tests", "run": "pytest"}
shown = [f"{names.get(n, n)} {took:.0f} s" for n, took in phases.items()]
if len(phases) > 1:
    shown.append(f"full run {sum(phases.values()):.0f} s")
print("time: " + ", ".join(shown) + f"; the whole command {whole} s (with set-up, ruff, mypy)")
print(f"tests: {tests - failed - len(skips)} passed, {failed} failed, {len(skips)} skipped")
sys.exit(1 if unexpected else 0)
EOF
rm -rf "$reports"
((status)) || status=$note
exit "$status"
