#!/usr/bin/env bash
# Start the action server and the Rasa server (REST channel) on localhost.
# Stops both on Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(.venv/bin/python -m bot.settings)"
# Secrets are not printed by bot.settings; endpoints.yml needs the variable to exist.
export ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
mkdir -p "$(dirname "$TRACKER_DB")"
model=$(ls -t models/*.tar.gz 2>/dev/null | head -1) || true
[ -n "$model" ] || { echo "No trained model in models/: run 'make train'" >&2; exit 1; }

# Callback requests need a way to reach staff. With neither SMTP nor a webhook set,
# run a local mail catcher so the whole flow works on a developer's machine: the
# e-mails land as files in var/mail/ (Maildir) instead of being sent anywhere.
demo_mail=""
if [ -z "$SMTP_HOST" ] && [ -z "$HANDOFF_WEBHOOK_URL" ]; then
  mkdir -p var/mail/tmp var/mail/new var/mail/cur   # a Maildir
  .venv/bin/python -m aiosmtpd -n -l 127.0.0.1:8025 -c aiosmtpd.handlers.Mailbox var/mail &
  mail_pid=$!
  export SMTP_HOST=127.0.0.1 SMTP_PORT=8025 SMTP_FROM=chatbot@localhost SMTP_SECURITY=none
  demo_mail="  No SMTP_HOST or HANDOFF_WEBHOOK_URL set: callback e-mails go to var/mail/new/."
fi

# rasa-sdk 3.6 takes its listening address from SANIC_HOST (default 0.0.0.0).
SANIC_HOST="$ACTION_HOST" .venv/bin/python -m bot.action_server --actions actions --port "$ACTION_PORT" &
actions_pid=$!
# The demo page with the web chat (web/), on its own origin as on a municipal site.
.venv/bin/python -m bot.web &
web_pid=$!
trap 'kill "$actions_pid" "$web_pid" ${mail_pid:-} 2>/dev/null || true' EXIT INT TERM

# Where conversations are kept, without a password that TRACKER_STORE_URL may hold.
store=$TRACKER_DB
case "${TRACKER_STORE_URL:-}" in
  "") ;;
  *@*) store="${TRACKER_STORE_URL%%://*}://…@${TRACKER_STORE_URL##*@}" ;;
  *) store=$TRACKER_STORE_URL ;;
esac
[ -z "${REDIS_URL:-}" ] || store="$store (conversation locks and rate limits in Redis)"
api_state="off (set RASA_API_JWT_SECRET, 32+ characters, to turn it on)"
[ -z "${RASA_API_JWT_SECRET:-}" ] || api_state="on, JWT (HS256) signed with RASA_API_JWT_SECRET"
cat <<MSG

  Starting the bot with $model
  Open the demo page with the chat: http://$WEB_HOST:$WEB_PORT/
  Action server:  http://$ACTION_HOST:$ACTION_PORT/health
  Rasa's HTTP API (model swap with 'make reload'): $api_state
  Talk to the bot: POST http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook
    curl -s -H 'Content-Type: application/json' \\
      -d '{"sender": "3f1c2a9e-5b7d-4c11-9a0e-1234567890ab", "message": "Hvad er tidlig indsats?"}' \\
      http://$RASA_HOST:$RASA_PORT/webhooks/rest/webhook
  Conversations (with personal data redacted) and callback requests are stored in
  $store. Delete one: POST /webhooks/rest/delete {"sender": "..."}. Stop with Ctrl+C.
$demo_mail

MSG
# Sanic refuses bodies over 1 MB unread; the channels answer 413 above MAX_REQUEST_BYTES.
# bot.rasa_run is `rasa run`, plus Rasa's HTTP API (for `make reload`) when
# RASA_API_JWT_SECRET is set, without the secret on the command line.
SANIC_REQUEST_MAX_SIZE=1048576 \
  .venv/bin/python -m bot.rasa_run --model "$model" --interface "$RASA_HOST" --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml --cors $CORS_ORIGINS
