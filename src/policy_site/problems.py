"""What the tool reports when input cannot be used: one ``Problem`` per thing wrong (file, line,
key, and the fix in its message), and one error base class that every loader's error extends."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from policy_site.yaml_slips import explain

__all__ = ["PolicySiteError", "Problem", "display", "near", "yaml_problem"]


def display(path: Path) -> str:
    """``path`` as the person running the tool would type it: relative to where they are."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def near(word: object, words: Iterable[object]) -> str | None:
    """The one of ``words`` that ``word`` most likely misspells, if any is close."""
    found = difflib.get_close_matches(str(word), [str(each) for each in words], n=1)
    return found[0] if found else None


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file: where, which key, and how to fix it."""

    path: Path
    line: int
    key: str | None
    message: str

    def __str__(self) -> str:
        where = f"{display(self.path)}:{self.line}"
        return f"{where}: '{self.key}': {self.message}" if self.key else f"{where}: {self.message}"


class PolicySiteError(ValueError):
    """Input the tool cannot use: the one error family. Carries every problem found, each a
    ``Problem`` (file, line, key, fix) or a message that already says where and how to fix it.
    The command line prints it and exits 2; the MkDocs adapter turns it into a PluginError."""

    def __init__(self, problems: str | Sequence[Problem | str], note: str = "") -> None:
        self.found: list[Problem | str] = [problems] if isinstance(problems, str) else [*problems]
        #: What was therefore not done ("The lock was not written."), said after the problems.
        self.note = note
        super().__init__("\n".join([*map(str, self.found), *([note] if note else [])]))

    @property
    def problems(self) -> list[Problem]:
        """The problems that name a file and line (the others are messages)."""
        return [problem for problem in self.found if isinstance(problem, Problem)]


def yaml_problem(
    path: Path, err: yaml.YAMLError, what: str, first_line: int = 1, text: str | None = None
) -> Problem:
    """One line of the file (the YAML, ``text``, starts on ``first_line``): that of the slip the
    text shows (yaml_slips.py), else where the parser stopped; what is wrong, without the
    parser's own positions, and the fix."""
    slip = explain(err, text)
    said = f"{what} is not valid YAML: {slip.said}. Fix: {slip.fix}."
    return Problem(path, slip.line + first_line, None, said)
