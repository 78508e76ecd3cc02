"""The build's own security checks: it fails on ungated loads from other hosts, and writes headers
whose CSP allows exactly the inline scripts the pages hold and the hosts consent.yml declares."""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from policy_site.security import NGINX_LOCATIONS_FILE, NGINX_UPSTREAM_FILE, parse_headers_file
from tests.build.test_nginx import NGINX, NGINX_PROLOGUE, free_port
from tests.support import ROOT, SITE_HOST, build, consent_files, fixture_site, serve


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return fixture_site("consent-demo", tmp_path, consent=True)


def test_an_ungated_pixel_fails_the_build_naming_page_element_and_fix(project: Path) -> None:
    (project / "docs/leak.md").write_text(
        '# Leak\n\n<p><img src="https://px.example/p.gif" alt=""></p>\n', encoding="utf-8"
    )
    result = build(project, project / "site")
    assert result.returncode != 0
    assert "leak/index.html: <img src='https://px.example/p.gif'> loads from px.example" in (
        result.stderr
    )
    assert "categories.necessary.services in consent/consent.yml" in result.stderr
    assert not (project / "site/_headers").exists()


def test_a_theme_level_load_fails_the_build_on_every_page(project: Path) -> None:
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + "extra_css:\n  - https://cdn.example/x.css\n",
        encoding="utf-8",
    )
    result = build(project, project / "site")
    assert result.returncode != 0
    leaking = re.findall(r"^  (\S+\.html): <link href='https://cdn\.example", result.stderr, re.M)
    assert {"index.html", "partner/index.html", "privacy/index.html", "404.html"} <= set(leaking)


def test_a_host_declared_necessary_may_load_and_is_in_the_csp(project: Path) -> None:
    (project / "docs/cart.md").write_text(
        '# Cart\n\n<script src="https://shop.example/cart.js"></script>\n', encoding="utf-8"
    )
    config = project / "consent/consent.yml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    settings["categories"]["necessary"]["services"][0]["hosts"] = ["shop.example"]
    config.write_text(
        yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    result = build(project, project / "site")
    assert result.returncode == 0, result.stderr
    assert " shop.example" in csp(project / "site")["script-src"]


class _InlineScripts(HTMLParser):
    """Collects inline script texts with the standard library's parser (not lxml, which the
    build uses), so the test recomputes the hashes independently."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.texts: list[str] = []
        self._open: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open = dict(attrs)
            self.texts.append("")

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.texts[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open is not None:
            attrs, self._open = self._open, None
            runs = attrs.get("type") in (None, "module") or "data-category" in attrs
            if "src" in attrs or not runs:
                self.texts.pop()


def recomputed_hashes(site: Path) -> set[str]:
    hashes = set()
    for page in site.rglob("*.html"):
        parser = _InlineScripts()
        parser.feed(page.read_text(encoding="utf-8"))
        for text in parser.texts:
            digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
            hashes.add(f"'sha256-{digest}'")
    return hashes


def headers(site: Path) -> dict[str, str]:
    """The headers of every path; the consent bundle's paths add theirs (test_consent_include)."""
    rules = parse_headers_file((site / "_headers").read_text(encoding="utf-8"))
    assert [path for path, _ in rules] == ["/*", "/consent/*", "/assets/consent.*"]
    return rules[0][1]


def test_the_bundle_files_are_served_to_other_origins(project_site: Path) -> None:
    """What the shop needs to load them with integrity, checked against a real server."""
    hashed = consent_files(project_site)[0].relative_to(project_site).as_posix()
    with serve(project_site) as url:
        for path in ("consent/consent.js", "consent/consent.json", hashed):
            request = urllib.request.Request(f"{url}{path}".replace(SITE_HOST, "127.0.0.1"))
            with urllib.request.urlopen(request) as response:
                assert response.headers["Access-Control-Allow-Origin"] == "*"
                assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
                assert response.headers["Content-Security-Policy"].startswith("default-src")


def csp(site: Path) -> dict[str, str]:
    value = headers(site)["Content-Security-Policy"]
    return dict(part.split(" ", 1) for part in value.split("; "))


def test_the_csp_hashes_are_exactly_those_of_the_inline_scripts(project_site: Path) -> None:
    in_csp = set(re.findall(r"'sha256-[^']+'", csp(project_site)["script-src"]))
    assert in_csp == recomputed_hashes(project_site)
    # mkdocs-material's scope script differs with page depth: 3 depths, 3 of its hashes at least.
    assert len(in_csp) >= 4


def test_gated_inline_scripts_have_their_hash_too(project: Path) -> None:
    assert build(project, project / "site").returncode == 0
    site = project / "site"
    hashes = recomputed_hashes(site)
    gated = 'window.order = (window.order || []).concat("inline-analytics");'
    digest = base64.b64encode(hashlib.sha256(gated.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in hashes
    assert set(re.findall(r"'sha256-[^']+'", csp(site)["script-src"])) == hashes


def test_the_csp_names_the_hosts_of_consent_yml_and_no_other(project_site: Path) -> None:
    settings = yaml.safe_load((ROOT / "consent/consent.yml").read_text(encoding="utf-8"))
    declared = {
        host
        for category in settings["categories"].values()
        for service in category["services"]
        for host in service["hosts"]
    }
    policy = " ".join(csp(project_site).values())
    named = set(re.findall(r"(?<![-\w'])[a-z0-9-]+(?:\.[a-z0-9-]+)+(?![\w'])", policy))
    assert named == declared
    assert "unsafe" not in policy


def test_nginx_gets_the_same_headers(project_site: Path) -> None:
    snippet = (project_site / "_headers.nginx.conf").read_text(encoding="utf-8")
    found = dict(re.findall(r'^add_header (\S+) "(.*)" always;$', snippet, re.M))
    assert found == headers(project_site)
    assert len(found) == 7


def test_several_receivers_get_an_upstream_that_nginx_takes(
    real_project: Path, tmp_path: Path
) -> None:
    config = real_project / "consent/consent.yml"
    text = config.read_text(encoding="utf-8")
    several = "  upstream: [127.0.0.1:8001, 127.0.0.1:8002]\n"
    config.write_text(text.replace("receipts:\n", "receipts:\n" + several), encoding="utf-8")
    site = real_project / "site"
    result = build(real_project, site)
    assert result.returncode == 0, result.stderr
    assert f"and {NGINX_UPSTREAM_FILE}:" in result.stderr  # the build says it wrote it
    upstream = (site / NGINX_UPSTREAM_FILE).read_text(encoding="utf-8")
    assert "upstream policy_site_receipts {" in upstream
    assert "server 127.0.0.1:8001 " in upstream
    assert "server 127.0.0.1:8002 " in upstream
    locations = (site / NGINX_LOCATIONS_FILE).read_text(encoding="utf-8")
    assert "proxy_pass http://policy_site_receipts;" in locations
    # nginx takes both files where the manual says: the upstream in http, the rest in server.
    nginx = tmp_path / "nginx.conf"
    nginx.write_text(
        NGINX_PROLOGUE.format(prefix=tmp_path)
        + f"  include {site / NGINX_UPSTREAM_FILE};\n"
        + f"  server {{ listen 127.0.0.1:{free_port()}; root {site};\n"
        + f"    include {site / NGINX_LOCATIONS_FILE}; }}\n}}\n",
        encoding="utf-8",
    )
    checked = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(nginx)],
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    # Back to the one receiver: the same files, the upstream now of one.
    config.write_text(text, encoding="utf-8")
    assert build(real_project, site).returncode == 0
    upstream = (site / NGINX_UPSTREAM_FILE).read_text(encoding="utf-8")
    assert "server 127.0.0.1:8001 " in upstream
    assert "127.0.0.1:8002" not in upstream
