"""The nginx snippets the build writes, in a real nginx on loopback: the server block includes them
as the README says, beside locations of the server's own, and every response carries the headers
of ``_headers``; the consent bundle's files add theirs. ``./scripts/test`` installs
Debian's nginx-light when it runs as root and nginx is missing."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from policy_site.security import (
    HEADERS_FILE,
    NGINX_FILE,
    NGINX_LOCATIONS_FILE,
    SHARED_PATHS,
    parse_headers_file,
)
from tests.support import consent_files

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

#: An nginx of the tests' own, in the foreground, everything it writes under {prefix}; an
#: ``http`` block follows, and its ``server`` ends it (both closed by the caller).
NGINX_PROLOGUE = """
master_process off;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{}}
http {{
  access_log off;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
"""

CONFIG = (
    NGINX_PROLOGUE
    + """
  types {{ text/html html; text/css css; application/javascript js; application/json json; }}
  include {site}/_headers.nginx.upstream*.conf;
  server {{
    listen 127.0.0.1:{port};
    root {site};
    include {site}/{snippet};
    # The server's own location for scripts and styles, as many have, before the snippet's: it
    # must not take the consent bundle's files, and it repeats the site's headers as the README
    # says.
    location ~* \\.(css|js)$ {{
      include {site}/{snippet};
      add_header X-Own-Location "1" always;
    }}
    location ^~ /assets/ {{
      include {site}/{snippet};
      add_header X-Own-Location "1" always;
    }}
    include {site}/{locations};
  }}
}}
"""
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def nginx(project_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(NGINX).is_file():
        pytest.fail(
            f"nginx is not at {NGINX}: ./scripts/test installs Debian's nginx-light as root; "
            "otherwise install it (sudo apt-get install nginx-light)"
        )
    prefix = tmp_path_factory.mktemp("nginx")
    port = free_port()
    config = prefix / "nginx.conf"
    config.write_text(
        CONFIG.format(
            prefix=prefix,
            port=port,
            site=project_site,
            snippet=NGINX_FILE,
            locations=NGINX_LOCATIONS_FILE,
        ),
        encoding="utf-8",
    )
    command = [NGINX, "-p", str(prefix), "-c", str(config)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()
            break
        except (urllib.error.URLError, ConnectionError):
            assert server.poll() is None, server.stderr.read() if server.stderr else ""
            assert time.monotonic() < deadline, "nginx did not answer within 10 s"
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)


def served(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
        return dict(response.headers.items())


def site_headers(site: Path) -> dict[str, str]:
    rules = dict(parse_headers_file((site / HEADERS_FILE).read_text(encoding="utf-8")))
    return rules["/*"]


def test_every_page_gets_the_headers_of_the_headers_file(nginx: str, project_site: Path) -> None:
    expected = site_headers(project_site)
    for path in ("privacy/", "privacy/versions/", "privacy/cookies/"):
        got = served(nginx + path)
        assert {name: got.get(name) for name in expected} == expected, path
        assert "Access-Control-Allow-Origin" not in got


def test_the_bundle_files_get_cors_and_their_cache_lifetime(nginx: str, project_site: Path) -> None:
    expected = site_headers(project_site)
    hashed = consent_files(project_site)[0].relative_to(project_site).as_posix()
    for path, rule in (("consent/consent.js", "/consent/*"), (hashed, "/assets/consent.*")):
        got = served(nginx + path)
        want = {**expected, **SHARED_PATHS[rule]}
        assert {name: got.get(name) for name in want} == want, path
        assert "X-Own-Location" not in got, f"{path} fell to the server's own location"


def test_a_location_of_the_servers_own_keeps_the_site_headers(
    nginx: str, project_site: Path
) -> None:
    got = served(nginx + "assets/stylesheets/policy.css")
    assert got["X-Own-Location"] == "1"
    assert got["Content-Security-Policy"] == site_headers(project_site)["Content-Security-Policy"]
