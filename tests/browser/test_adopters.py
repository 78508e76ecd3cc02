"""A company adopts the package in its own language, as the manual's getting-started page says:
the wheel with the [audit] extra in a fresh venv, ``policy-site init``, a marketing category
with its partner's pixel, ``publish``, ``build``, then ``audit``, in each language init knows.
The site builds quietly, and the audit finds nothing before consent nor after it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.partner import PARTNER_HOST
from tests.wheel import installed_env

AS_OF = "2026-12-02"
#: The partner, as the site names it; the audit's Chromium resolves no host but the site's, as
#: in the daily build's workflow: the pixel is requested after consent and loads from nowhere.
PARTNER = f"https://{PARTNER_HOST}"

#: The marketing category a company adds, in its language: title and description.
MARKETING = {
    "en": ("Marketing", "Our advertising partner's pixel, to measure our campaigns."),
    "sv": ("Marknadsföring", "Vår annonspartners pixel, för att se vilka kampanjer som ger besök."),
    "de": ("Marketing", "Das Pixel unseres Werbepartners, um zu sehen, welche Kampagnen wirken."),
    "fr": ("Marketing", "Le pixel de notre partenaire publicitaire, pour mesurer nos campagnes."),
    "es": ("Marketing", "El píxel de nuestro socio publicitario, para medir nuestras campañas."),
    "nl": ("Marketing", "De pixel van onze advertentiepartner, om onze campagnes te meten."),
    "da": ("Markedsføring", "Vores annoncepartners pixel, så vi kan måle vores kampagner."),
    "nb": ("Markedsføring", "Annonsepartnerens piksel, slik at vi kan måle kampanjene våre."),
    "fi": ("Markkinointi", "Mainoskumppanimme pikseli, jolla mittaamme kampanjoitamme."),
    "it": ("Marketing", "Il pixel del nostro partner pubblicitario, per misurare le campagne."),
}


def run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``policy-site`` of ``venv`` as an adopter runs it: no NO_MKDOCS_2_WARNING, no wrappers."""
    env = installed_env(AS_OF)
    env.pop("NO_MKDOCS_2_WARNING", None)
    env["PATH"] = f"{venv / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    command = [str(venv / "bin" / "policy-site"), *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def add_marketing(project: Path, language: str, partner: str) -> None:
    """What the company adds: the category, its partner (``partner``, an origin), and a page
    with the partner's pixel."""
    title, description = MARKETING[language]
    path = project / "consent" / "consent.yml"
    consent = yaml.safe_load(path.read_text(encoding="utf-8"))
    consent["categories"]["marketing"] = {
        "title": {language: title},
        "description": {language: description},
        "gpc": True,
        "services": [{"name": "Example Ads", "hosts": [partner.split("://", 1)[1]]}],
    }
    path.write_text(yaml.safe_dump(consent, allow_unicode=True, sort_keys=False), "utf-8")
    (project / "docs" / "offers.md").write_text(
        f"# {title}\n\n"
        f'<p><img data-category="marketing" data-src="{partner}/pixel.gif" alt="" '
        'width="1" height="1"></p>\n',
        encoding="utf-8",
    )
    config_path = project / "mkdocs.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["nav"].append({title: "offers.md"})
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")


@pytest.mark.parametrize("language", sorted(MARKETING))
def test_a_company_adopts_the_package_in_its_language(
    installed_with_audit: tuple[Path, Path], tmp_path: Path, language: str
) -> None:
    venv = installed_with_audit[1]
    made = run(venv, tmp_path, "init", "site", "--domain", f"www.example.{language}",
               "--language", language, "--name", "Example")  # fmt: skip
    assert made.returncode == 0, made.stderr
    project = tmp_path / "site"
    add_marketing(project, language, PARTNER)
    published = run(venv, project, "publish")
    assert published.returncode == 0, published.stdout + published.stderr
    built = run(venv, project, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    assert "\x1b[" not in built.stdout + built.stderr  # no coloured end-of-life box
    bundles = list((project / "site" / "assets").glob(f"consent.{language}.*.js"))
    assert bundles, "the consent script in the site's language"
    audited = run(venv, project, "audit", "site", "--as-of", AS_OF, "--settle", "0.1")
    assert audited.returncode == 0, audited.stdout + audited.stderr
    report = json.loads((project / "audit" / "report.json").read_text(encoding="utf-8"))
    summary = {row["state"]: row for row in report["summary"]}
    assert {row["verdict"] for row in summary.values()} == {"pass"}
    for before in ("no-choice", "reject-all", "gpc-no-choice", "gpc-accept-all"):
        assert summary[before]["third_party_requests"] == 0, before
    # The pixel is there, and loads once the visitor accepts: the audit saw it gated, not absent.
    assert summary["accept-all"]["third_party_requests"] >= 1
    assert summary["only-marketing"]["third_party_requests"] >= 1
