"""The demo page with the chat widget, served on localhost by `make run`.

`python -m bot.web` serves `web/`: the demo page (a plain municipal page about support
for children, filled in from `data/knowledge/`), the widget (`web/chat/`) and the page's
own files. Every response carries a strict Content-Security-Policy: scripts, styles and
images from this server only, and requests only to the bot server (`BOT_PUBLIC_URL`),
so the page can make no third-party request even by mistake. No cookies are set.

A municipality embeds the widget on its own site with the same script tag (see the
README); this server is for trying the product and for the browser tests.
"""

from __future__ import annotations

import html
import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Optional, Tuple
from urllib.parse import urlsplit

from bot import settings
from bot.knowledge import load_knowledge
from bot.replies import contact_sentence

logger = logging.getLogger(__name__)

WEB_ROOT = settings.PROJECT_ROOT / "web"
FILES: Dict[str, Tuple[str, str]] = {  # path -> (file under web/, content type)
    "/demo.css": ("demo.css", "text/css; charset=utf-8"),
    "/demo.js": ("demo.js", "text/javascript; charset=utf-8"),
    "/chat/herning-chat.css": ("chat/herning-chat.css", "text/css; charset=utf-8"),
    "/chat/herning-chat.js": ("chat/herning-chat.js", "text/javascript; charset=utf-8"),
}


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def security_headers(bot_url: str) -> Dict[str, str]:
    return {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src {origin(bot_url)}; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    }


def demo_page(bot_url: str, retention_days: int, root: Path = WEB_ROOT) -> str:
    """index.html with the bot's address and the knowledge's topics and contact."""
    knowledge = load_knowledge()
    sections = list(knowledge.sections.values())
    intro = sections[0].answer if sections else ""
    topics = "\n".join(f"      <li>{html.escape(s.title)}</li>" for s in sections)
    contact = ("Vil du tale med en person, kan du kontakte "
               f"{contact_sentence(knowledge.default_contact)}.")
    page = (root / "index.html").read_text(encoding="utf-8")
    for key, value in {"{{BOT_URL}}": html.escape(bot_url, quote=True),
                       "{{INTRO}}": html.escape(intro), "{{TOPICS}}": topics,
                       "{{CONTACT}}": html.escape(contact),
                       "{{RETENTION_DAYS}}": str(retention_days)}.items():
        page = page.replace(key, value)
    return page


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "HerningChatDemo"
    sys_version = ""
    bot_url = ""
    retention_days = 30
    root = WEB_ROOT

    def _send(self, status: int, body: bytes, content_type: str,
              extra: Optional[Dict[str, str]] = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in {**security_headers(self.bot_url), **(extra or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            page = demo_page(self.bot_url, self.retention_days, self.root)
            self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")
        elif path in FILES:
            name, content_type = FILES[path]
            self._send(200, (self.root / name).read_bytes(), content_type)
        else:
            self._send(404, b"Siden findes ikke.", "text/plain; charset=utf-8")

    do_HEAD = do_GET

    def log_message(self, format: str, *args: object) -> None:
        logger.info("%s %s", self.address_string(), format % args)


def make_server(host: str, port: int, bot_url: str, retention_days: int) -> ThreadingHTTPServer:
    handler = type("Handler", (DemoHandler,), {"bot_url": bot_url,
                                               "retention_days": retention_days})
    return ThreadingHTTPServer((host, port), handler)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = settings.load()
    server = make_server(config.web_host, config.web_port, config.bot_public_url,
                         config.retention_days)
    logger.info("Demo page on http://%s:%s/ (bot at %s)", config.web_host, config.web_port,
                config.bot_public_url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
