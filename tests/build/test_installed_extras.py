"""The optional parts of the package as an adopter meets them: installed from a wheel without its
extras, ``policy-site audit`` and ``policy-site receipts serve`` say which extra they need and the
pip command that adds it, naming the very wheel the package was installed from; the wheel
provides those extras."""

from __future__ import annotations

import email
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.wheel import installed_env


def run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [str(venv / "bin" / "policy-site"), *args]
    return subprocess.run(
        command, cwd=cwd, env=installed_env(), capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("args", "extra", "said"),
    [
        (("audit", "site"), "audit", "Playwright is missing"),
        (("receipts", "--db", "sqlite:///receipts.db", "serve"), "receipts",
         "the receiver needs aiohttp"),
    ],
)  # fmt: skip
def test_a_command_without_its_extra_names_the_wheel_to_add_it_from(
    installed_package: tuple[Path, Path],
    tmp_path: Path,
    args: tuple[str, ...],
    extra: str,
    said: str,
) -> None:
    wheel, venv = installed_package
    result = run(venv, *args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert said in result.stderr
    assert f"install it with pip install '{wheel}[{extra}]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_wheel_provides_the_extras_its_messages_name(
    installed_package: tuple[Path, Path],
) -> None:
    with zipfile.ZipFile(installed_package[0]) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        meta = email.message_from_bytes(wheel.read(name))
    assert {"audit", "receipts", "postgresql"} <= set(meta.get_all("Provides-Extra") or [])
    requires = meta.get_all("Requires-Dist") or []
    audit = [r for r in requires if 'extra == "audit"' in r]
    assert any(r.startswith("playwright") for r in audit), requires
    assert any(r.startswith("policy-site[receipts]") for r in audit), requires
