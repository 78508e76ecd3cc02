"""The package as another company gets it: a wheel built from a copy of the package's sources,
installed into a fresh venv that holds nothing of this repository, and a site built with it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from policy_site.commands import SCRIPTS_ENV
from tests.support import AS_OF, FIXTURE_SITES, ROOT, dated_env

__all__ = ["OTHER_SITE", "build_other_site", "installed_env", "installed_package", "package_files"]

#: The fixture site that is not Toontrack's (another domain, cookie, categories and languages).
OTHER_SITE = "other-company"


def installed_env(as_of: str = AS_OF) -> dict[str, str]:
    """The environment of someone who installed the package, on ``as_of``: nothing that would let
    the repository's sources in (PYTHONPATH), and not this repository's wrappers either."""
    env = {**dated_env(as_of), "NO_MKDOCS_2_WARNING": "1"}
    for key in ("PYTHONPATH", SCRIPTS_ENV):
        env.pop(key, None)
    return env


def package_files() -> list[str]:
    """The files beside src/ that the package's metadata names: pyproject.toml, its readme (the
    package's description) and its licence files."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return ["pyproject.toml", project["readme"], *project["license-files"]]


def installed_package(destination: Path, extras: str = "") -> tuple[Path, Path]:
    """A wheel of the package, and a fresh venv with it installed as the docs tell an adopter
    (its dependencies pinned by adopter-constraints.txt), with ``extras`` (e.g. ``"[audit]"``);
    returns (wheel, venv)."""
    source = destination / "source"
    source.mkdir()
    for name in package_files():
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(ROOT / "src", source / "src", ignore=ignore)
    dist = destination / "dist"
    run = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "-w",
        str(dist),
        str(source),
    ]
    subprocess.run(run, check=True, env=installed_env(), capture_output=True)
    (wheel,) = dist.glob("policy_site-*.whl")
    venv = destination / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    pins = ROOT / "adopter-constraints.txt"
    install = [str(venv / "bin" / "pip"), "install", "--quiet", "-c", str(pins)]
    subprocess.run(
        [*install, f"{wheel}{extras}"], check=True, env=installed_env(), capture_output=True
    )
    return wheel, venv


def build_other_site(
    venv: Path, destination: Path, partner_origin: str, as_of: str = AS_OF
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The other company's site, its partner at ``partner_origin``, built by ``venv``'s
    ``mkdocs build --strict``; returns (site folder, the build's result)."""
    project = destination / OTHER_SITE
    shutil.copytree(FIXTURE_SITES / OTHER_SITE, project)
    host = partner_origin.split("://", 1)[1]
    for path in (project / "consent/consent.yml", project / "docs/offers.md"):
        text = path.read_text(encoding="utf-8")
        text = text.replace("PARTNER_HOST", host).replace("PARTNER", partner_origin)
        path.write_text(text, encoding="utf-8")
    site = destination / "site"
    command = [str(venv / "bin" / "mkdocs"), "build", "--strict", "--site-dir", str(site)]
    env = installed_env(as_of)
    result = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    return site, result
