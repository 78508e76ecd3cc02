"""A front matter that is not YAML: one line number (the file's), the parser's complaint without its
own positions, and the usual fix (issue 11, point 5)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy_site.versions.policy import read_versions

BODY = "\n# Privacy Policy\n\nText.\n"


@pytest.mark.parametrize(
    ("front", "line", "fix"),
    [
        ("effective: 2020-01-01\ntitle: Privacy Policy: 2020\n", 3,
         "a value that holds ': ' must be quoted: title: 'Privacy Policy: 2027'"),
        ("effective: 2020-01-01\n\ttitle: Privacy Policy\n", 3, "indent with spaces, not tabs"),
        ("effective: 2020-01-01\ntitle: *policy\n", 3,
         "a value that starts with '*' must be quoted"),
    ],
)  # fmt: skip
def test_a_yaml_error_gives_one_line_and_the_fix(
    tmp_path: Path, front: str, line: int, fix: str
) -> None:
    path = tmp_path / "2020-01-01.md"
    path.write_text(f"---\n{front}---\n{BODY}", encoding="utf-8")
    _, problems = read_versions(tmp_path)
    (problem,) = problems
    text = str(problem)
    assert problem.line == line, text
    assert text.startswith(f"{path}:{line}: the front matter is not valid YAML: "), text
    assert f"Fix: {fix}." in text, text
    assert "line " not in text.split(": the front matter", 1)[1], text  # no second line number
    assert "<unicode string>" not in text
    assert re.search(r"column \d", text) is None
