#!/usr/bin/env bash
# Send one signed message to the webhook channel with curl and openssl.
#   PLATFORM_WEBHOOK_SECRET=... BOT_URL=http://127.0.0.1:5005 ./webhook_curl.sh
set -euo pipefail
body='{"sender": "sag-123", "message": "Hvad er tidlig indsats?", "metadata": {"locale": "da-DK"}}'
timestamp=$(date +%s)
signature=$(printf '%s.%s' "$timestamp" "$body" \
  | openssl dgst -sha256 -hmac "$PLATFORM_WEBHOOK_SECRET" -hex | sed 's/^.* //')
curl -sS -X POST "${BOT_URL:-http://127.0.0.1:5005}/webhooks/platform/webhook" \
  -H 'Content-Type: application/json' \
  -H "X-Signature-Timestamp: $timestamp" \
  -H "X-Signature: sha256=$signature" \
  --data-binary "$body"
echo
