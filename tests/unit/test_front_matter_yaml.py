"""A front matter that is not YAML: one line number (the file's), the parser's complaint without its
own positions, and the usual fix (issue 11, point 5); and for the usual slips, the line that holds
the slip, not the one where the parser gave up, and the real fix (issue 23, point 3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy_site.problems import Problem
from policy_site.versions.policy import read_versions

BODY = "\n# Privacy Policy\n\nText.\n"


@pytest.mark.parametrize(
    ("front", "line", "fix"),
    [
        ("effective: 2020-01-01\ntitle: Privacy Policy: 2020\n", 3,
         "a value that holds ': ' must be quoted: title: 'Privacy Policy: 2027'"),
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


def the_problem(tmp_path: Path, text: str) -> Problem:
    """The one problem of a version file ``2020-01-01.md`` that reads ``text``."""
    (tmp_path / "2020-01-01.md").write_text(text, encoding="utf-8")
    _, problems = read_versions(tmp_path)
    (problem,) = problems
    return problem


def said(problem: Problem, line: int, *words: str) -> None:
    """``problem`` is on ``line`` of the file and says each of ``words``."""
    text = str(problem)
    assert problem.line == line, text
    assert text.startswith(f"{problem.path}:{line}: "), text
    for word in words:
        assert word in text, text


@pytest.mark.parametrize(
    ("front", "line", "column"),
    [
        ("effective: 2020-01-01\ntitle: Policy\nerrata:\n\t- date: 2020-02-01\n  text: x\n", 5, 1),
        ("effective: 2020-01-01\ntitle: Policy\nlint:\n  \tcheck-back-wording: x\n", 5, 3),
        ("effective: 2020-01-01\n\ttitle: Privacy Policy\n", 3, 1),
    ],
)  # fmt: skip
def test_a_tab_is_named_by_its_line_and_column_and_replaced_with_spaces(
    tmp_path: Path, front: str, line: int, column: int
) -> None:
    problem = the_problem(tmp_path, f"---\n{front}---\n{BODY}")
    said(problem, line, f"the front matter is not valid YAML: a tab at column {column}. "
         "Fix: replace the tab with spaces")  # fmt: skip
    assert "quote" not in str(problem)


@pytest.mark.parametrize(
    ("front", "line"),
    [
        ("title Privacy Policy\neffective: 2020-01-01\n", 2),  # the parser stops on line 3
        ("effective: 2020-01-01\nchange: editorial\ntitle Privacy Policy\n", 4),  # the last
        ("title Privacy Policy\n", 2),  # no error from the parser: it is one text
    ],
)
def test_a_key_without_its_colon_is_named_on_its_own_line(
    tmp_path: Path, front: str, line: int
) -> None:
    problem = the_problem(tmp_path, f"---\n{front}---\n{BODY}")
    said(problem, line, "'title Privacy Policy' has no ':' after its key",
         "Fix: add ':' after the key 'title': 'title: Privacy Policy'.")  # fmt: skip


@pytest.mark.parametrize(
    ("front", "line", "fix"),
    [
        ("effective: 2020-01-01\ntitle: Policy\nlint:\n  check-back-wording kept\n  x: y\n", 5,
         "add ':' after the key 'check-back-wording': 'check-back-wording: kept'"),
        # A comment reads like a Markdown heading; the key line after it says it is none.
        ("title: Policy\n# the date it applies from\neffective 2020-01-01\nchange: editorial\n",
         4, "add ':' after the key 'effective': 'effective: 2020-01-01'"),
    ],
)  # fmt: skip
def test_a_key_without_its_colon_among_others_is_named(
    tmp_path: Path, front: str, line: int, fix: str
) -> None:
    said(the_problem(tmp_path, f"---\n{front}---\n{BODY}"), line, f"Fix: {fix}.")


def test_a_line_indented_under_a_value_says_to_indent_it_as_the_key_above(
    tmp_path: Path,
) -> None:
    problem = the_problem(tmp_path, f"---\ntitle: Policy\n  effective: 2020-01-01\n---\n{BODY}")
    said(problem, 3, "indented more than 'title' above it", "Fix: indent it as 'title' is")


@pytest.mark.parametrize("after", ["", "\n---\n\nA thematic break, then more text.\n"])
def test_front_matter_without_its_closing_line_says_where_that_belongs(
    tmp_path: Path, after: str
) -> None:
    """Without a later '---' there is no front matter to read; with one (a thematic break in
    the Markdown), the front matter runs on into the Markdown. Either way the fix is the same."""
    text = f"---\ntitle: Privacy Policy\neffective: 2020-01-01\n{BODY}{after}"
    said(the_problem(tmp_path, text), 5,
         "the front matter that '---' opens on line 1 has no closing '---' line. Fix: add a "
         "'---' line after line 3 ('effective: 2020-01-01'), before the Markdown "
         "('# Privacy Policy', line 5).")  # fmt: skip


@pytest.mark.parametrize(("quote", "inside"), [("'", "''"), ('"', '\\"')])
def test_a_quote_left_open_is_named_on_the_line_it_opens(
    tmp_path: Path, quote: str, inside: str
) -> None:
    front = (
        "effective: 2020-01-01\ntitle: Privacy Policy\nlint:\n  check-back-wording: Kept.\n"
        f"summary: {quote}Cookies and auditors.\nanchors:\n  a: b\nerrata: []\n"
        "notified: 2020-01-01\n"
    )
    said(
        the_problem(tmp_path, f"---\n{front}---\n{BODY}"),
        6,
        f"the value of 'summary' opens a quote ({quote}) here that is not closed",
        f"Fix: close it: end the value with {quote} (a {quote} inside it is written {inside})",
    )


def test_a_quote_closed_by_an_apostrophe_further_down_is_named_where_it_opens(
    tmp_path: Path,
) -> None:
    front = "effective: 2020-01-01\ntitle: 'Privacy Policy\nlint:\n  check-back-wording: don't\n"
    said(the_problem(tmp_path, f"---\n{front}---\n{BODY}"), 3,
         "the value of 'title' opens a quote (') here that is not closed")  # fmt: skip


def test_a_key_given_twice_names_both_lines(tmp_path: Path) -> None:
    front = "title: Privacy Policy\neffective: 2020-01-01\nlint:\n  x: a\n  x: b\ntitle: Other\n"
    (tmp_path / "2020-01-01.md").write_text(f"---\n{front}---\n{BODY}", encoding="utf-8")
    _, problems = read_versions(tmp_path)
    assert [(problem.line, problem.key) for problem in problems] == [(6, "lint.x"), (7, "title")]
    said(problems[1], 7, "'title': appears twice; keep one. Lines 2 and 7 both give it, and "
         "YAML would silently use line 7's.")  # fmt: skip


@pytest.mark.parametrize(
    ("front", "line", "key", "fix"),
    [
        ("effective: 2020-01-01\ntitle:\n  - Privacy\n  - Policy\n", 3, "title", "'title: ...'"),
        ("effective: [2020-01-01]\ntitle: Privacy Policy\n", 2, "effective",
         "'effective: 2020-01-01'"),
        ("effective: 2020-01-01\ntitle:\n  en: Privacy Policy\n", 3, "title", "'title: ...'"),
    ],
)  # fmt: skip
def test_a_list_where_one_value_belongs_names_the_key_alone(
    tmp_path: Path, front: str, line: int, key: str, fix: str
) -> None:
    """Said once: not also as text that is empty or a date that is not one."""
    problem = the_problem(tmp_path, f"---\n{front}---\n{BODY}")
    said(problem, line, f"'{key}': takes one value, but is given ",
         f"write the one value on the key's own line, {fix}.")  # fmt: skip
