"""Heads kept outside the store. The chain shows a receipt changed after it was stored, unless
whoever changed it recomputed every later row's hash too: whoever can write the database can. A
checkpoint (the time, the chain's row count, the hash of that row) kept elsewhere pins the chain
up to that row: ``verify --head ROWS:HASH`` or ``--heads FILE`` finds the store's row of that
number and compares its hash.

The receiver (``serve --checkpoints FILE``) and ``receipts checkpoint --out FILE`` append them to a
file, one JSON object a line: {"time": ..., "rows": ..., "head": ...}."""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policy_site.commands import command
from policy_site.problems import PolicySiteError, Problem, display

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "Keeper",
    "append",
    "compare",
    "parse_head",
    "read_checkpoints",
]

#: How often the receiver keeps its head, by default (seconds).
EVERY_S = 60.0
_HASH = re.compile(r"[0-9a-f]{64}")


class CheckpointError(PolicySiteError):
    """A checkpoints file that cannot be read or written (the message names it and the fix)."""


@dataclass(frozen=True)
class Checkpoint:
    #: The receiver's time when it was kept (UTC, as the store writes it); None for --head.
    time: str | None
    #: The chain's row count then: the number of its last row.
    rows: int
    #: That row's hash.
    head: str
    #: Where it comes from: FILE:LINE, or --head.
    where: str = "--head"

    def line(self) -> str:
        return json.dumps({"time": self.time, "rows": self.rows, "head": self.head})

    def __str__(self) -> str:
        when = f" of {self.time}" if self.time else ""
        return f"the checkpoint{when} at row {self.rows} ({self.where})"


def parse_head(text: str) -> Checkpoint:
    """``ROWS:HASH``, a head that ``verify`` printed, as an argparse type."""
    rows, _, head = text.partition(":")
    if not rows.isdigit() or not _HASH.fullmatch(head):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a head: give ROWS:HASH, the row count and the 64 hex digits of the "
            "hash that verify printed (e.g. 12:3f5a...)"
        )
    return Checkpoint(None, int(rows), head)


def _checkpoint(path: Path, number: int, text: str) -> Checkpoint | Problem:
    try:
        value: Any = json.loads(text)
    except ValueError as err:
        return Problem(path, number, None, f"not JSON ({err}): remove or repair the line")
    if not isinstance(value, dict) or set(value) != {"time", "rows", "head"}:
        return Problem(path, number, None, 'not a checkpoint: a line is {"time": ..., "rows": '
                       '..., "head": ...}, nothing else: remove or repair the line')  # fmt: skip
    rows, head, when = value["rows"], value["head"], value["time"]
    if type(rows) is not int or rows < 0:
        return Problem(path, number, "rows", "not a row count (0 or more): repair the line")
    if not isinstance(head, str) or not _HASH.fullmatch(head):
        return Problem(path, number, "head", "not a SHA-256 (64 hex digits): repair the line")
    if not isinstance(when, str):
        return Problem(path, number, "time", "not a time: repair the line")
    return Checkpoint(when, rows, head, f"{display(path)}:{number}")


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Every checkpoint in ``path``; a line that is not one is an error naming it."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CheckpointError(
            f"{display(path)}: cannot be read ({getattr(err, 'strerror', None) or err}): give "
            f"the file that {command('receipts')} serve --checkpoints FILE or checkpoint --out "
            "FILE writes"
        ) from None
    found = [_checkpoint(path, number, line) for number, line in
             enumerate(text.splitlines(), 1) if line.strip()]  # fmt: skip
    problems = [each for each in found if isinstance(each, Problem)]
    if problems:
        raise CheckpointError(problems, note="The chain was not checked against its heads.")
    if not found:
        raise CheckpointError(f"{display(path)}: no checkpoint in it: give a file of checkpoints")
    return [each for each in found if isinstance(each, Checkpoint)]


def compare(
    kept: Collection[Checkpoint], found: dict[int, str], last: int, anchor: int
) -> tuple[list[str], list[str]]:
    """(problems, notes): each kept head against ``found`` (the store's hash of each row it still
    has, Store.hashes), its last row ``last`` and its anchor ``anchor`` (rows up to it deleted by
    retention)."""
    problems, notes = [], []
    for checkpoint in kept:
        digest = found.get(checkpoint.rows)
        if checkpoint.rows > last:
            problems.append(
                f"{checkpoint}: the store ends at row {last}: rows were deleted after it was "
                "kept (or this is another store); restore them from a backup"
            )
        elif checkpoint.rows < anchor:
            notes.append(f"{checkpoint}: not checked, retention deleted rows up to {anchor}")
        elif digest is None:
            problems.append(f"{checkpoint}: row {checkpoint.rows} is missing from the store")
        elif digest != checkpoint.head:
            problems.append(
                f"{checkpoint}: kept head {checkpoint.head}, the store's row {checkpoint.rows} "
                f"has {digest}: receipts up to row {checkpoint.rows} were changed after it was "
                "kept, and the chain computed again to hide it; restore them from a backup "
                "and find out who could write to the database"
            )
    return problems, notes


def append(path: Path, checkpoint: Checkpoint) -> None:
    """Appends ``checkpoint`` to ``path`` (created if need be) and syncs it to disk: one write to
    a file opened for appending, so that lines of two writers do not mix."""
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (checkpoint.line() + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:  # the file's name, too, is on disk
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def writable(path: Path) -> None:
    """Raises CheckpointError unless ``path`` can be appended to (the receiver asks at start)."""
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as err:
        raise CheckpointError(
            f"{display(path)}: checkpoints cannot be written there ({err.strerror}): give "
            "--checkpoints a file in a folder that exists and that this user may write"
        ) from None


class Keeper:
    """The receiver's checkpoints: one every ``every`` seconds when the head moved, and at stop."""

    def __init__(
        self, path: Path, every: float = EVERY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.path = path
        self.every = every
        self._clock = clock
        self._due = clock()
        self._kept: tuple[int, str] | None = None

    def due(self) -> bool:
        return self._clock() >= self._due

    def keep(self, head: tuple[int, str], moment: str) -> bool:
        """Appends ``head`` (rows, hash) unless it is the one kept last; True when it did."""
        self._due = self._clock() + self.every
        if head == self._kept:
            return False
        append(self.path, Checkpoint(moment, *head))
        self._kept = head
        return True
