"""The nginx configuration that manual/docs/hosting.md gives, run as written in a real nginx on
loopback: only its ports, certificate and paths are this test's. Every page gets the headers of
``_headers``, the consent bundle its own, plain HTTP a redirect to HTTPS, and the header files
are not served."""

from __future__ import annotations

import http.client
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from policy_site.security import HEADERS_FILE, SHARED_PATHS, parse_headers_file
from tests.build.test_nginx import NGINX, NGINX_PROLOGUE, free_port
from tests.support import ROOT

HOSTING = ROOT / "manual" / "docs" / "hosting.md"
#: What the page's configuration names, and what this test puts in its place.
SITE = "/srv/www.example.org/site"
CERTIFICATE = "/etc/letsencrypt/live/www.example.org/fullchain.pem"
KEY = "/etc/letsencrypt/live/www.example.org/privkey.pem"


def documented_config() -> str:
    """The page's one ```nginx block."""
    blocks = re.findall(r"^```nginx\n(.*?)^```$", HOSTING.read_text("utf-8"), re.M | re.S)
    assert len(blocks) == 1, "hosting.md should give one nginx configuration"
    return str(blocks[0])


@pytest.fixture(scope="module")
def served(
    project_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, int]]:
    """(http port, https port): nginx running hosting.md's configuration for the project."""
    if not Path(NGINX).is_file():
        pytest.fail(f"nginx is not at {NGINX}: ./scripts/test installs Debian's nginx-light")
    prefix = tmp_path_factory.mktemp("nginx")
    cert, key = prefix / "cert.pem", prefix / "key.pem"
    subprocess.run(
        [shutil.which("openssl") or "/usr/bin/openssl", "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "2", "-subj", "/CN=www.example.org"],
        check=True, capture_output=True,
    )  # fmt: skip
    plain, secure = free_port(), free_port()
    config = documented_config()
    for written, ours in (
        ("listen 80;", f"listen 127.0.0.1:{plain};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{secure} ssl;"),
        (CERTIFICATE, str(cert)),
        (KEY, str(key)),
        (SITE, str(project_site)),
    ):
        assert written in config, f"hosting.md's nginx configuration no longer has {written!r}"
        config = config.replace(written, ours)
    types = "  types { text/html html; text/css css; application/javascript js; }\n"
    (prefix / "nginx.conf").write_text(
        NGINX_PROLOGUE.format(prefix=prefix) + types + config + "}\n", encoding="utf-8"
    )
    command = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not _answers(secure):
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        assert time.monotonic() < deadline, "nginx did not answer within 10 s"
        time.sleep(0.05)
    yield plain, secure
    server.terminate()
    server.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        get(port, "/")
    except OSError:
        return False
    return True


def get(port: int, path: str, tls: bool = True) -> http.client.HTTPResponse:
    """One GET, redirects not followed; the test certificate is not checked."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=5, context=context
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers={"Host": "www.example.org"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def site_headers(site: Path) -> dict[str, dict[str, str]]:
    return dict(parse_headers_file((site / HEADERS_FILE).read_text(encoding="utf-8")))


def test_every_page_is_served_with_the_headers_of_the_build(
    served: tuple[int, int], project_site: Path
) -> None:
    expected = site_headers(project_site)["/*"]
    for path in ("/privacy/", "/privacy/versions/", "/sv/privacy/", "/no/such/page/"):
        response = get(served[1], path)
        assert response.status == (404 if path.startswith("/no/") else 200), path
        got = dict(response.getheaders())
        assert {name: got.get(name) for name in expected} == expected, path


def test_the_consent_bundle_gets_its_own_headers(
    served: tuple[int, int], project_site: Path
) -> None:
    rules = site_headers(project_site)
    got = dict(get(served[1], "/consent/consent.js").getheaders())
    expected = {**rules["/*"], **SHARED_PATHS["/consent/*"]}
    assert {name: got.get(name) for name in expected} == expected


def test_plain_http_is_sent_to_https(served: tuple[int, int]) -> None:
    response = get(served[0], "/privacy/?a=1", tls=False)
    assert response.status == 301
    assert response.getheader("Location") == "https://www.example.org/privacy/?a=1"


def test_the_header_files_are_not_served(served: tuple[int, int], project_site: Path) -> None:
    for name in ("_headers", "_headers.nginx.conf", "_headers.nginx.locations.conf",
                 "_headers.nginx.upstream.conf"):  # fmt: skip
        assert (project_site / name).is_file()
        assert get(served[1], f"/{name}").status == 404, name
