"""The receipts location the build writes into ``_headers.nginx.locations.conf``, in a real nginx on
loopback in front of a real receiver: a POST of a receipt reaches the store, anything but a POST
is refused, and the visitor's address and user agent are not passed on."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from policy_site.receipts.launch import free_port
from policy_site.security import SHARED_PATHS, nginx_locations, nginx_upstream
from tests.build.test_nginx import NGINX, NGINX_PROLOGUE
from tests.service.conftest import Receiver, count_rows, start_receiver, stop
from tests.service.test_receiver import _fresh

CONFIG = (
    NGINX_PROLOGUE
    + """
  log_format receivers '$status $upstream_addr';
  {upstream}
  server {{
    listen 127.0.0.1:{port};
    root {prefix};
    access_log {prefix}/access.log receivers;
    include {prefix}/locations.conf;
  }}
}}
"""
)


@contextmanager
def nginx_before(prefix: Path, receivers: list[Receiver]) -> Iterator[str]:
    """A real nginx on loopback with the files the build writes for ``receivers`` (their
    ``upstream``, and the locations): the URL of its receipts' location. Its access log, at
    ``prefix/access.log``, gives each answer's status and the receivers that were tried."""
    if not Path(NGINX).is_file():
        pytest.fail(f"nginx is not at {NGINX}: ./scripts/test installs Debian's nginx-light")
    servers = tuple(receiver.url.split("/")[2] for receiver in receivers)
    locations = nginx_locations({"X-Site": "1"}, SHARED_PATHS, "/consent/receipts")
    (prefix / "locations.conf").write_text(locations, encoding="utf-8")
    (prefix / "upstream.conf").write_text(nginx_upstream(servers), encoding="utf-8")
    upstream = f"include {prefix}/upstream.conf;"
    port = free_port()
    config = prefix / "nginx.conf"
    config.write_text(CONFIG.format(prefix=prefix, port=port, upstream=upstream), "utf-8")
    server = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(config)],
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}/consent/receipts"
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
        except urllib.error.HTTPError:
            break  # nginx answers (a GET is refused)
        except (urllib.error.URLError, ConnectionError):
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "nginx did not answer within 10 s"
            time.sleep(0.05)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[tuple[str, Receiver]]:
    receiver = start_receiver(f"sqlite:///{tmp_path / 'receipts.db'}")
    try:
        with nginx_before(tmp_path, [receiver]) as url:
            yield url, receiver
    finally:
        stop(receiver)


def _status(request: urllib.request.Request) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), dict(response.headers.items())
    except urllib.error.HTTPError as err:
        return int(err.code), dict(err.headers.items())


def test_a_receipt_posted_to_the_site_reaches_the_store(proxied: tuple[str, Receiver]) -> None:
    url, receiver = proxied
    body = Receiver(receiver.db, url, receiver.process).send(_fresh(1))
    assert body == 204
    assert count_rows(receiver.db) == 1
    status, headers = _status(urllib.request.Request(url, method="GET"))
    assert status == 403
    assert headers.get("X-Site") == "1"  # the site's headers on its answers too
    too_big = urllib.request.Request(url, data=b"x" * 5000, method="POST",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    assert _status(too_big)[0] == 413
    assert count_rows(receiver.db) == 1


def test_the_location_passes_on_no_address_and_no_user_agent() -> None:
    text = nginx_locations({}, {}, "/consent/receipts")
    assert "location = /consent/receipts {" in text
    assert "proxy_pass http://policy_site_receipts;" in text
    assert "_headers.nginx.upstream.conf: include it in the http block" in text
    assert "proxy_next_upstream error timeout http_502 http_503 non_idempotent;" in text
    assert "server 127.0.0.1:8001 " in nginx_upstream(["127.0.0.1:8001"])
    assert 'proxy_set_header X-Forwarded-For "";' in text
    assert 'proxy_set_header User-Agent "";' in text
    assert "location = /consent/receipts" not in nginx_locations({}, {})
