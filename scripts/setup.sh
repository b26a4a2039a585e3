#!/usr/bin/env bash
# Create the Python 3.10 environment, install the locked dependencies and build the
# Danish spaCy pipeline. Safe to run again: each step is skipped when up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
LOCK=requirements.lock

find_python310() {
  local candidate
  for candidate in "${PYTHON310:-}" "$(command -v python3.10 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  local root
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for candidate in "$root"/versions/3.10.*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if [ -x "$candidate" ] && "$candidate" -c 'import venv' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x "$VENV/bin/python" ]; then
  if ! PY=$(find_python310); then
    cat >&2 <<'MSG'
Python 3.10 was not found. Rasa 3.6 runs on Python 3.10 only. Install it, then run again:
  with pyenv:   pyenv install 3.10.13
  on Debian:    apt-get install python3.10 python3.10-venv   (where the release has it)
or point PYTHON310 at a Python 3.10 interpreter: PYTHON310=/path/to/python3.10 make setup
MSG
    exit 1
  fi
  echo "Creating $VENV with $PY"
  "$PY" -m venv "$VENV"
fi

stamp="$VENV/.installed-lock"
want=$(sha256sum "$LOCK" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "Installing the locked dependencies (first time: a few minutes) ..."
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "pip==24.0"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$LOCK"
  "$VENV/bin/python" -m pip check
  echo "$want" > "$stamp"
fi

# Debian packages the tests run for real: installed when missing and apt-get can (as
# root); otherwise say what to install.
debian_package() {  # package, what needs it, extra hint
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's $1 for $2 ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "$1 is not installed: $2 need it." >&2
    echo "  Debian/Ubuntu: sudo apt-get install $1${3:-}" >&2
  fi
}

# The web chat's browser tests drive Debian's Chromium with Playwright (which downloads
# no browser here).
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || debian_package chromium "the browser tests" \
  "   (or set CHROMIUM=/path/to/chromium)"
# The store and cluster tests and the load benchmark start a real PostgreSQL (initdb +
# pg_ctl into a temporary folder) and a real Redis (the replicas' shared lock).
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
  || debian_package postgresql "the store and cluster tests"
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] \
  || debian_package redis-server "the cluster tests"

eval "$("$VENV/bin/python" -m bot.settings)"
case "$SPACY_MODEL" in
  build/*|/*|./*)
    if [ ! -f "$SPACY_MODEL/meta.json" ]; then
      "$VENV/bin/python" -m bot.cli build-spacy --target "$SPACY_MODEL"
    fi ;;
  *) "$VENV/bin/python" -c "import spacy, sys; spacy.load(sys.argv[1])" "$SPACY_MODEL" \
       || { echo "spaCy model '$SPACY_MODEL' is not installed" >&2; exit 1; } ;;
esac
echo "Environment ready."
