"""The consent runtime's files are plain JavaScript: no template syntax in any of them (only
bundle.js.j2 stitches them and injects the config), each one parsed by node --check, and the
receipts' code in a file of its own that only a bundle with receipts stitches. Their behaviour
is unit-tested by tests/js (node --test), which ./scripts/test runs."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from policy_site.consent.bundle import DIALOG, RECEIPTS, RUNTIME, SOURCES, sources
from policy_site.consent.config import load_consent
from tests.support import ROOT

FILES = sorted(RUNTIME.glob("*.js"))
#: Jinja's delimiters: expressions, statements and comments.
JINJA = re.compile(r"\{\{|\{%|\{#")


def test_the_runtime_files_are_the_ones_the_bundle_stitches() -> None:
    assert sorted(path.name for path in FILES) == sorted((*SOURCES, RECEIPTS, DIALOG))


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_a_runtime_file_holds_no_template_syntax(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = [f"line {text.count(chr(10), 0, m.start()) + 1}" for m in JINJA.finditer(text)]
    assert not found, f"{path.name} holds Jinja ({', '.join(found)}): only bundle.js.j2 may"


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_node_check_accepts_a_runtime_file(path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: ./scripts/test installs Debian's nodejs")
    result = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, f"node --check {path.name}:\n{result.stderr}"


def test_receipts_js_is_stitched_only_with_receipts() -> None:
    config = load_consent(ROOT / "consent" / "consent.yml")
    assert config.receipts is not None
    with_receipts = sources(config)
    assert with_receipts[-1] == "main.js"  # its start-up code runs once the others are in
    assert RECEIPTS in with_receipts
    assert sources(dataclasses.replace(config, receipts=None)) == SOURCES
    assert RECEIPTS not in SOURCES
