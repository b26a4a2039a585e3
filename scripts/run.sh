#!/usr/bin/env bash
# Start the action server and the Rasa server (REST channel) on localhost.
# Stops both on Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(.venv/bin/python -m bot.settings)"
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
mkdir -p "$(dirname "$TRACKER_DB")"
model=$(ls -t models/*.tar.gz 2>/dev/null | head -1) || true
[ -n "$model" ] || { echo "No trained model in models/: run 'make train'" >&2; exit 1; }

# rasa-sdk 3.6 takes its listening address from SANIC_HOST (default 0.0.0.0).
SANIC_HOST="$ACTION_HOST" .venv/bin/rasa run actions --actions actions --port "$ACTION_PORT" &
actions_pid=$!
trap 'kill "$actions_pid" 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  Starting the bot with $model
  Action server:  http://$ACTION_HOST:$ACTION_PORT/health
  Talk to the bot: POST http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook
    curl -s -H 'Content-Type: application/json' \\
      -d '{"sender": "forælder-1", "message": "Hvad er tidlig indsats?"}' \\
      http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook
  Conversations are stored in $TRACKER_DB. Stop with Ctrl+C.

MSG
.venv/bin/rasa run --model "$model" --interface "$RASA_HOST" --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml
