#!/usr/bin/env bash
# Install everything the tests need (if missing), then run every test.
# Usage: bash tests/run.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

# System packages: Debian's Chromium for the browser tests (never `playwright install`),
# SpamAssassin for `digest check`. apt-get only when something is missing.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v spamassassin >/dev/null 2>&1 || missing+=(spamassassin)
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "tests/run.sh: missing ${missing[*]} (install as root: apt-get install ${missing[*]})" >&2
  fi
fi

# Node tools for `digest check` (caniemail data, html-validate, axe-core), pinned in tests/node.
if command -v npm >/dev/null 2>&1 && [[ -f tests/node/package.json ]]; then
  (cd tests/node && { [[ -d node_modules ]] || npm ci --silent --no-audit --no-fund; })
fi

ruff check digest tests bench
mypy
python3 -m pytest -q "$@"
