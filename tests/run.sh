#!/usr/bin/env bash
# Installs what the whole test suite needs (Debian's chromium, postgresql and redis-server, a virtual
# environment with netqa and its test extras), runs it, then the gold-set gate.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive for real: chromium (browser tests), npm (axe-core for their accessibility
# audit), PostgreSQL and redis-server (the shared stores of several replicas). Installed only when missing.
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing="$missing postgresql"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
if [ -n "$missing" ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# Real documents nobody here wrote, for tests/test_real_documents.py: python3-doc's HTML pages, and the PDF manual
# of a Debian documentation package (camlidl-doc), fetched with apt-get download into tests/.real/ (not committed).
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
if [ ! -d /usr/share/doc/python3.11/html ]; then
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-doc >/dev/null
fi
if [ ! -f tests/.real/camlidl-1.04.doc.pdf ]; then
  mkdir -p tests/.real
  fetch="$(mktemp -d)"
  (cd "$fetch" && apt-get download -qq camlidl-doc 2>/dev/null || { $sudo apt-get update -qq && apt-get download -qq camlidl-doc; })
  dpkg-deb -x "$fetch"/camlidl-doc_*.deb "$fetch/x"
  cp "$fetch/x/usr/share/doc/camlidl/camlidl-1.04.doc.pdf" tests/.real/
  rm -rf "$fetch"
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[test]"

# Lint and types first: they take seconds (configured in pyproject.toml).
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/mypy

status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then status=0; fi  # "no tests collected" (e.g. a -k filter) is not a failure
if [ "$status" -ne 0 ]; then exit "$status"; fi

# The CI gate of the engine issue: 95% answer, citation and abstention accuracy on the gold set.
.venv/bin/netqa eval corpus/gold.jsonl --min-answer 0.95 --min-citation 0.95 --min-abstain 0.95

# The document gold sets (outside examiners' questions on licences, READMEs, HTML pages, a PDF): tests/gold/README.md.
.venv/bin/python tests/gold/gate.py
