"""Another company's site, built by the package installed from its wheel into a fresh venv:
nothing of this repository, nothing of Toontrack's, and its own categories and languages."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.support import parse_html
from tests.wheel import build_other_site, installed_env

PARTNER = "http://ads.partner.test:9"


@pytest.fixture(scope="module")
def other_site(
    installed_package: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    site, result = build_other_site(installed_package[1], tmp_path_factory.mktemp("other"), PARTNER)
    assert result.returncode == 0, result.stderr
    return site


def test_the_wheel_carries_the_runtime_and_templates_and_nothing_of_toontrack(
    installed_package: tuple[Path, Path],
) -> None:
    with zipfile.ZipFile(installed_package[0]) as wheel:
        names = set(wheel.namelist())
        for needed in ("policy_site/theme/main.html", "policy_site/theme/policy-archive.html",
                       "policy_site/theme/partials/policy-status.html",
                       "policy_site/theme/assets/stylesheets/policy.css",
                       "policy_site/theme/assets/javascripts/compare.js",
                       "policy_site/consent/runtime/bundle.js.j2",
                       "policy_site/consent/runtime/gate.js",
                       "policy_site/consent/runtime/texts.yml",
                       "policy_site/audit/scripts/probe.js",
                       "policy_site/audit/report.html.j2",
                       "policy_site/starter/workflow.yml", "policy_site/starter/gitignore.txt",
                       "policy_site/starter/necessary.yml"):  # fmt: skip
            assert needed in names
        assert not [name for name in names if "bench" in name]
        mentions = [
            n for n in names if b"toontrack" in wheel.read(n).lower() and "dist-info" not in n
        ]
    assert mentions == []


def test_the_venv_imports_the_installed_package_not_the_repository(
    installed_package: tuple[Path, Path],
) -> None:
    venv = installed_package[1]
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import policy_site; print(policy_site.__file__)"],
        capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert where.stdout.startswith(str(venv))


def test_the_other_site_builds_with_its_own_languages_and_categories(other_site: Path) -> None:
    published = json.loads((other_site / "consent/consent.json").read_text(encoding="utf-8"))
    assert sorted(published["pinned"]["js"]) == ["de", "en"]
    german = other_site / published["pinned"]["js"]["de"]["url"].split("/", 3)[3]
    script = german.read_text(encoding="utf-8")
    assert "exg_choice" in script
    assert "Alle akzeptieren" in script  # the package's German default
    assert "Unbedingt erforderlich" in script  # the site's own category title
    for page in ("privacy/index.html", "privacy/versions/index.html", "privacy/cookies/index.html",
                 "offers/index.html"):  # fmt: skip
        assert (other_site / page).is_file(), page
    cookies = parse_html(other_site / "privacy/cookies/index.html").text_content()
    assert "exg_zone" in cookies
    assert "Marketing" in cookies


def test_nothing_in_the_other_site_names_toontrack(other_site: Path) -> None:
    named = [
        str(path.relative_to(other_site))
        for path in other_site.rglob("*")
        if path.is_file() and re.search(rb"toontrack", path.read_bytes(), re.IGNORECASE)
    ]
    assert named == []


def test_the_installed_console_script_inits_and_builds_a_site(
    installed_package: tuple[Path, Path], tmp_path: Path
) -> None:
    command = str(installed_package[1] / "bin" / "policy-site")
    env = installed_env("2026-12-02")
    made = subprocess.run(
        [command, "init", "shop", "--domain", "shop.example.net", "--language", "sv"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    built = subprocess.run(
        [command, "build"], cwd=tmp_path / "shop", env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert "Preview it:  policy-site serve   then" in built.stdout
    elsewhere = subprocess.run(
        [command, "build", "-f", "shop/mkdocs.yml"], cwd=tmp_path, env=env, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert "Preview it:  policy-site serve -f shop/mkdocs.yml   then" in elsewhere.stdout
    page = parse_html(tmp_path / "shop/site/privacy/index.html")
    assert page.get("lang") == "sv"
    published = subprocess.run(
        [command, "publish"], cwd=tmp_path / "shop", env=env, capture_output=True, text=True
    )  # fmt: skip
    assert published.returncode == 0, published.stderr
    first = next((tmp_path / "shop/docs/privacy/versions").glob("*.md"))
    first.write_text(first.read_text(encoding="utf-8") + "\nA sentence more.\n", encoding="utf-8")
    checked = subprocess.run(
        [command, "check"], cwd=tmp_path / "shop", env=env, capture_output=True, text=True
    )  # fmt: skip
    assert "then run policy-site check --update-lock." in checked.stderr  # not ./scripts/check
    helped = subprocess.run([command, "--help"], env=env, capture_output=True, text=True)
    for name in ("init", "publish", "build", "serve", "check", "new-version", "withdraw",
                 "snippet", "audit"):  # fmt: skip
        assert name in helped.stdout
