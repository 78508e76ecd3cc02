"""What the tool reports when input cannot be used: one ``Problem`` per thing wrong (file, line,
key, and the fix in its message), and one error base class that every loader's error extends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["PolicySiteError", "Problem", "display", "yaml_problem"]


def display(path: Path) -> str:
    """``path`` as the person running the tool would type it: relative to where they are."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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


#: The usual fix for what the YAML parser says, by the words it says it with.
_YAML_FIXES = (
    ("mapping values are not allowed", "a value that holds ': ' must be quoted: "
     "title: 'Privacy Policy: 2027'"),
    ("tab character", "indent with spaces, not tabs"),
    ("found character '\\t'", "indent with spaces, not tabs"),
    ("could not find expected ':'", "each line is 'key: value'; a value that goes on over "
     "several lines must be quoted or start with '>'"),
    ("found undefined alias", "a value that starts with '*' must be quoted"),
    ("expected <block end>", "keep every key at the start of its line, and quote a value that "
     "starts with a quote but goes on after it"),
)  # fmt: skip


def yaml_problem(path: Path, err: yaml.YAMLError, what: str, first_line: int = 1) -> Problem:
    """One line of the file (the YAML starts on ``first_line``), what the parser found wrong, in
    its words without its own positions, and the usual fix."""
    mark = getattr(err, "problem_mark", None)
    line = mark.line + first_line if mark is not None else 1
    parts = (getattr(err, "context", None), getattr(err, "problem", None))
    said = " ".join(str(part) for part in parts if part) or str(err)
    fix = next((fix for words, fix in _YAML_FIXES if words in said), None)
    fix = fix or "quote a value that holds ': ', ' #' or starts with one of [ { & * ! | > ' \" % @"
    return Problem(path, line, None, f"{what} is not valid YAML: {said}. Fix: {fix}.")
