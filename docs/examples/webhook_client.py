"""Send one message to the bot's webhook channel, signed, and print the answer.

    PLATFORM_WEBHOOK_SECRET=... python webhook_client.py "Hvad er tidlig indsats?" \
        [--url http://127.0.0.1:5005] [--sender sag-123]

Standard library only, so a platform team can copy it as it is.
"""

import argparse
import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request


def signed_headers(secret: str, body: bytes) -> dict:
    timestamp = str(int(time.time()))
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body,
                   hashlib.sha256)
    return {"X-Signature-Timestamp": timestamp, "X-Signature": "sha256=" + mac.hexdigest()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("message")
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--sender", default="sag-123")
    args = parser.parse_args()
    body = json.dumps({"sender": args.sender, "message": args.message,
                       "metadata": {"locale": "da-DK", "platform": "eksempel"}}).encode("utf-8")
    request = urllib.request.Request(
        args.url + "/webhooks/platform/webhook", data=body, method="POST",
        headers={"Content-Type": "application/json",
                 **signed_headers(os.environ["PLATFORM_WEBHOOK_SECRET"], body)})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{error.code}: {error.read().decode('utf-8')}")
    for message in answer["messages"]:
        print(message.get("text") or json.dumps(message.get("custom"), ensure_ascii=False))


if __name__ == "__main__":
    main()
