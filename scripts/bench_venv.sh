#!/usr/bin/env bash
# Locust for the load benchmark, in its own virtualenv (.venv-bench): its gevent stack
# stays out of Rasa's pinned Python 3.10 environment. Any Python 3.9+ will do.
set -euo pipefail
cd "$(dirname "$0")/.."
LOCUST_VERSION=2.47.0
if [ -x .venv-bench/bin/locust ] && .venv-bench/bin/locust --version 2>/dev/null | grep -q "$LOCUST_VERSION"; then
  exit 0
fi
python=$(command -v python3 || true)
if [ -z "$python" ]; then
  echo "python3 is needed for Locust (the load benchmark): apt-get install python3 python3-venv" >&2
  exit 1
fi
echo "Installing Locust $LOCUST_VERSION into .venv-bench ..."
"$python" -m venv .venv-bench
.venv-bench/bin/python -m pip install --quiet --disable-pip-version-check "locust==$LOCUST_VERSION"
