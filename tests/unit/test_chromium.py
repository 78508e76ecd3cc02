"""Finding Chromium: a missing browser is an error that says how to get one."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_site import chromium


def test_missing_chromium_is_an_error_with_the_fix(tmp_path: Path) -> None:
    missing = tmp_path / "no-chromium-here"
    with pytest.raises(chromium.ChromiumMissingError, match="apt-get install chromium"):
        chromium.executable({chromium.CHROMIUM_ENV: str(missing)})


def test_a_file_that_cannot_run_is_not_a_browser(tmp_path: Path) -> None:
    not_executable = tmp_path / "chromium"
    not_executable.write_text("", encoding="utf-8")
    with pytest.raises(chromium.ChromiumMissingError):
        chromium.executable({chromium.CHROMIUM_ENV: str(not_executable)})


def test_host_map_comes_before_the_catch_all() -> None:
    (rules,) = [arg for arg in chromium.launch_args({"a.test": "127.0.0.1"}) if "resolver" in arg]
    assert rules == "--host-resolver-rules=MAP a.test 127.0.0.1, MAP * ~NOTFOUND"
