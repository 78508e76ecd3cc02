"""Fixtures: the project built for real once per run, served over HTTP, and Chromium to read it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from policy_site import chromium
from policy_site.commands import SCRIPTS_ENV
from tests import wheel
from tests.partner import PARTNER_DOMAIN, PARTNER_HOST
from tests.support import ROOT, SITE_HOST, build, serve

# Messages name ./scripts/<command>, as under ./scripts/test, however pytest is started; the
# installed package's own form (policy-site <command>) is tested without it (test_other_site.py).
os.environ[SCRIPTS_ENV] = "1"


@pytest.fixture(scope="session")
def project_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The project's own site, built with ``mkdocs build --strict`` as of the tests' date, and
    what the build printed."""
    site_dir = tmp_path_factory.mktemp("project-site")
    result = build(ROOT, site_dir)
    assert result.returncode == 0, (
        f"mkdocs build --strict failed; reproduce with ./scripts/build\n{result.stderr}"
    )
    return site_dir, result.stderr


@pytest.fixture(scope="session")
def project_site(project_build: tuple[Path, str]) -> Path:
    return project_build[0]


@pytest.fixture(scope="session")
def site_url(project_site: Path) -> Iterator[str]:
    """The project's site, served."""
    with serve(project_site) as url:
        yield url


@pytest.fixture(scope="session")
def installed_package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, venv): the package built as a wheel and installed into a fresh venv, once a run."""
    return wheel.installed_package(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def installed_with_audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, venv): as installed_package, with the [audit] extra an adopter's CI installs."""
    return wheel.installed_package(tmp_path_factory.mktemp("wheel-audit"), "[audit]")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, with the test host names mapped to loopback. Missing means failing."""
    host_map = {SITE_HOST: "127.0.0.1", f"*.{SITE_HOST.split('.', 1)[1]}": "127.0.0.1"}
    host_map[PARTNER_HOST] = host_map[f"*.{PARTNER_DOMAIN}"] = "127.0.0.1"
    return {
        **browser_type_launch_args,
        "executable_path": chromium.executable(),
        "args": chromium.launch_args(host_map),
    }
