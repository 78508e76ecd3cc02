"""The package as a product: its source distribution and wheel carry the licence, the notice, its
own description and what an adopter installs with; the wheel installed with
adopter-constraints.txt holds exactly those versions; and the installed command says its version
and builds quietly, in one plain line, with no end-of-life box of mkdocs-material's."""

from __future__ import annotations

import email
import email.message
import subprocess
import sys
import tarfile
import zipfile
from importlib.metadata import PathDistribution
from pathlib import Path

import pytest

from policy_site.receipts.launch import free_port
from tests.support import ROOT
from tests.unit.test_adopter_constraints import ADOPTER, normalised, pins
from tests.wheel import installed_env

LICENCE = "Apache-2.0 WITH LLVM-exception"
#: What the box of mkdocs-material's (and ProperDocs' notice) would show.
NOISE = ("\x1b[", "end of life", "NO_MKDOCS_2_WARNING", "ProperDocs, a continuation")
#: Names the variables that silence the box: the installed command must not depend on them.
SILENCERS = ("NO_MKDOCS_2_WARNING", "DISABLE_MKDOCS_2_WARNING")


def quiet_env() -> dict[str, str]:
    """An installed user's environment without anything that silences the box."""
    env = installed_env("2026-12-02")
    for name in SILENCERS:
        env.pop(name, None)
    return env


def _metadata(text: str) -> email.message.Message:
    return email.message_from_string(text)


def _assert_describes_itself(metadata: email.message.Message, where: str) -> None:
    assert metadata["Metadata-Version"] == "2.4", where
    assert metadata["License-Expression"] == LICENCE, where
    assert sorted(metadata.get_all("License-File") or []) == ["LICENSE", "NOTICE"], where
    assert metadata["Description-Content-Type"] == "text/markdown", where
    assert metadata.get_payload() == (ROOT / "PACKAGE.md").read_text("utf-8"), where
    classifiers = metadata.get_all("Classifier") or []
    assert not [name for name in classifiers if name.startswith("License ::")], where  # PEP 639


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The source distribution, built by setuptools (as pyproject.toml asks, from the package
    index) from the repository's files as a checkout has them."""
    where = tmp_path_factory.mktemp("sdist")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    source = where / "source"
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((ROOT / name).read_bytes())
    backend = where / "backend"
    requires = "setuptools>=77"  # as [build-system] requires
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(backend), requires],
        check=True, capture_output=True,
    )  # fmt: skip
    build = "from setuptools import build_meta; print(build_meta.build_sdist('../dist'))"
    env = {**installed_env(), "PYTHONPATH": str(backend)}
    made = subprocess.run(
        [sys.executable, "-c", build], cwd=source, env=env, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return where / "dist" / made.stdout.strip().splitlines()[-1]


def test_the_build_system_asks_for_a_setuptools_that_writes_the_licence_metadata() -> None:
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    assert 'requires = ["setuptools>=77"]' in text  # 77: PEP 639's license and license-files


def test_the_sdist_carries_the_licence_the_description_the_changelog_and_the_pins(
    sdist: Path,
) -> None:
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        names = {name.removeprefix(f"{top}/") for name in archive.getnames()}
        info = archive.extractfile(f"{top}/PKG-INFO")
        assert info is not None
        metadata = _metadata(info.read().decode("utf-8"))
        pinned = archive.extractfile(f"{top}/adopter-constraints.txt")
        assert pinned is not None
        assert pinned.read().decode("utf-8") == ADOPTER.read_text("utf-8")
    carried = ["LICENSE", "NOTICE", "PACKAGE.md", "CHANGELOG.md", "pyproject.toml"]
    carried += ["src/policy_site/cli.py", "src/policy_site/consent/runtime/gate.js"]
    assert [name for name in carried if name not in names] == []
    # Not the repository's front page, nor Toontrack's policy text, which is not licensed.
    assert "README.md" not in names
    assert not [name for name in names if name.startswith(("docs/", "tests/"))]
    _assert_describes_itself(metadata, "sdist PKG-INFO")


def test_the_wheel_carries_the_licence_files_and_describes_the_package(
    installed_package: tuple[Path, Path],
) -> None:
    with zipfile.ZipFile(installed_package[0]) as wheel:
        names = wheel.namelist()
        (metadata_name,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata = _metadata(wheel.read(metadata_name).decode("utf-8"))
        licences = metadata_name.replace("METADATA", "licenses/")
        assert wheel.read(f"{licences}LICENSE") == (ROOT / "LICENSE").read_bytes()
        assert wheel.read(f"{licences}NOTICE") == (ROOT / "NOTICE").read_bytes()
    _assert_describes_itself(metadata, "wheel METADATA")


def test_the_licence_is_apache_2_with_the_llvm_exceptions() -> None:
    """The file says what the metadata says: the Apache License 2.0 whole, then the exceptions
    that let a built site carry the consent script with no licence text or attribution."""
    text = (ROOT / "LICENSE").read_text("utf-8")
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "3. Grant of Patent License." in text
    assert "END OF TERMS AND CONDITIONS" in text
    exception = text.split("---- LLVM Exceptions to the Apache 2.0 License ----", 1)[1]
    assert "without complying\nwith the conditions of Sections 4(a), 4(b) and 4(d)" in exception
    notice = (ROOT / "NOTICE").read_text("utf-8")
    assert "docs/privacy/versions/" in notice  # Toontrack's text, not under the licence


def test_the_wheel_installed_with_the_adopter_pins_has_exactly_those_versions(
    installed_package: tuple[Path, Path],
) -> None:
    """The issue's lxml 6.2.1 and Markdown 3.11.4 where the project pins 6.1.3 and 3.11.3:
    installed as the docs say, every distribution in the venv is at the adopter file's version."""
    pinned = {name: line.split("==")[1] for name, line in pins(ADOPTER.read_text("utf-8")).items()}
    site_packages = next((installed_package[1] / "lib").glob("python3*/site-packages"))
    installed = {
        normalised(dist.metadata["Name"]): dist.version
        for dist in map(PathDistribution, site_packages.glob("*.dist-info"))
    }
    ours = {"pip", "setuptools", "policy-site"}
    unpinned = sorted(set(installed) - set(pinned) - ours)
    assert unpinned == [], f"installed but not in adopter-constraints.txt: {unpinned}"
    differ = {name: (got, pinned[name]) for name, got in installed.items() if name in pinned
              and got != pinned[name]}  # fmt: skip
    assert differ == {}
    assert installed["lxml"] == pinned["lxml"]
    assert installed["markdown"] == pinned["markdown"]


def test_the_installed_command_says_its_version_and_what_it_builds_with(
    installed_package: tuple[Path, Path],
) -> None:
    venv = installed_package[1]
    said = subprocess.run(
        [str(venv / "bin" / "policy-site"), "--version"],
        env=quiet_env(), capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    python = str(venv / "bin" / "python")
    found = subprocess.run(
        [python, "-c", "from importlib.metadata import version as v; "
         "print(v('policy-site'), v('mkdocs'), v('mkdocs-material'))"],
        env=quiet_env(), capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert said == [
        f"policy-site {found[0]}",
        f"policy-site build runs on MkDocs {found[1]} and mkdocs-material {found[2]}",
        "ProperDocs is not installed",
    ]


def test_the_installed_build_is_quiet_and_names_what_it_runs_on(
    installed_package: tuple[Path, Path], tmp_path: Path
) -> None:
    """Run as an adopter runs it, with no NO_MKDOCS_2_WARNING in the environment: no box, no
    colour codes, one plain line naming MkDocs and mkdocs-material with their versions; and
    check and serve as quiet."""
    bin_dir, env = installed_package[1] / "bin", quiet_env()
    policy_site = str(bin_dir / "policy-site")

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [policy_site, *argv], cwd=tmp_path / "shop", env=env, capture_output=True, text=True
        )

    (tmp_path / "shop").mkdir()
    assert run("init", ".", "--domain", "shop.example.net").returncode == 0
    built = run("build")
    assert built.returncode == 0, built.stderr
    said = built.stdout + built.stderr
    assert [noise for noise in NOISE if noise in said] == [], said
    lines = [line for line in said.splitlines() if line.startswith("Building with ")]
    assert lines == [subprocess.run(
        [policy_site, "--version"], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()[1].replace("policy-site build runs on ", "Building with ")]  # fmt: skip
    checked = run("check")
    assert [noise for noise in NOISE if noise in checked.stdout + checked.stderr] == []
    port = free_port()
    with subprocess.Popen(
        [policy_site, "serve", "--port", str(port)], cwd=tmp_path / "shop", env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    ) as server:  # fmt: skip
        try:
            assert server.stdout is not None
            first = server.stdout.readline()
        finally:
            server.terminate()
    assert first.startswith("Serving "), first
    assert [noise for noise in NOISE if noise in first] == []


def test_plain_mkdocs_build_shows_the_box_unless_told_not_to(
    installed_package: tuple[Path, Path], tmp_path: Path
) -> None:
    """What the adopters' docs say: mkdocs-material prints its box while MkDocs loads the theme,
    before any plugin, so the package cannot silence a plain ``mkdocs build``;
    NO_MKDOCS_2_WARNING=1 does."""
    bin_dir, env = installed_package[1] / "bin", quiet_env()
    made = subprocess.run(
        [str(bin_dir / "policy-site"), "init", "shop", "--domain", "shop.example.net"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr

    def mkdocs_build(extra: dict[str, str]) -> str:
        result = subprocess.run(
            [str(bin_dir / "mkdocs"), "build", "--strict"], cwd=tmp_path / "shop",
            env={**env, **extra}, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout + result.stderr

    assert "end of life" in mkdocs_build({})
    assert "end of life" not in mkdocs_build({"NO_MKDOCS_2_WARNING": "1"})
