"""Messages name the command the reader has: ./scripts/<name> in this repository, else the
installed policy-site <name>."""

from __future__ import annotations

import pytest

from policy_site.commands import SCRIPTS_ENV, command


def test_under_the_wrappers_a_message_names_the_script(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SCRIPTS_ENV, "1")
    assert command("check --update-lock") == "./scripts/check --update-lock"
    assert command("build") == "./scripts/build"


def test_elsewhere_a_message_names_the_console_script(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SCRIPTS_ENV, raising=False)
    assert command("check --update-lock") == "policy-site check --update-lock"
    assert command("serve") == "policy-site serve"
