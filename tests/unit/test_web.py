"""The demo page server (bot.web) on a real local port, and its settings."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest

from bot import settings
from bot.web import make_server


@pytest.fixture
def server():
    httpd = make_server("127.0.0.1", 0, "http://127.0.0.1:5999", 14)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_demo_page_embeds_the_widget_with_the_bot_address_and_a_strict_policy(server):
    with urllib.request.urlopen(server + "/") as response:
        page = response.read().decode("utf-8")
        policy = response.headers["Content-Security-Policy"]
        assert response.headers.get("Set-Cookie") is None
    assert 'data-server="http://127.0.0.1:5999"' in page and 'lang="da"' in page
    assert "<li>Tidlig indsats</li>" in page and "slettes efter 14 dage" in page
    assert "{{" not in page
    assert "connect-src http://127.0.0.1:5999;" in policy and "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy


def test_widget_files_are_served_and_nothing_else(server):
    with urllib.request.urlopen(server + "/chat/herning-chat.js") as response:
        assert response.headers["Content-Type"].startswith("text/javascript")
        assert b"sessionStorage" in response.read()
    for path in ("/../README.md", "/web/index.html", "/bot/settings.py", "/.env"):
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(server + path)
        assert error.value.code == 404


def test_cors_origins_must_be_web_origins(monkeypatch):
    monkeypatch.setenv("CORS_ORIGINS", "https://www.herning.dk http://localhost:8080/")
    assert settings.load().cors_origins == "https://www.herning.dk http://localhost:8080"
    for bad in ("*", "herning.dk", "https://www.herning.dk/side", "javascript:alert(1)"):
        monkeypatch.setenv("CORS_ORIGINS", bad)
        with pytest.raises(ValueError, match="CORS_ORIGINS"):
            settings.load()
