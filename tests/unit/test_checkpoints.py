"""Checkpoints of the receipts chain (receipts/checkpoints.py): read, compared with the store's
hashes, and kept by the receiver when its head moved."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from policy_site.receipts.checkpoints import (
    Checkpoint,
    CheckpointError,
    Keeper,
    compare,
    parse_head,
    read_checkpoints,
)

A, B = "a" * 64, "b" * 64


def test_a_head_is_rows_and_hash() -> None:
    assert parse_head(f"12:{A}") == Checkpoint(None, 12, A)
    for wrong in (A, f"x:{A}", "12:abc", f"-1:{A}", f"12:{A.upper()}"):
        with pytest.raises(argparse.ArgumentTypeError, match="give ROWS:HASH"):
            parse_head(wrong)


def test_a_checkpoints_file_is_read_line_by_line(tmp_path: Path) -> None:
    heads = tmp_path / "heads.jsonl"
    heads.write_text(json.dumps({"time": "t1", "rows": 3, "head": A}) + "\n\n"
                     + json.dumps({"time": "t2", "rows": 5, "head": B}) + "\n")  # fmt: skip
    assert read_checkpoints(heads) == [
        Checkpoint("t1", 3, A, f"{heads}:1"),
        Checkpoint("t2", 5, B, f"{heads}:3"),
    ]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("{not json", ":1: not JSON"),
        ('{"rows": 3, "head": "' + A + '"}', ':1: not a checkpoint: a line is {"time"'),
        ('{"time": "t", "rows": "3", "head": "' + A + '"}', ":1: 'rows': not a row count"),
        ('{"time": "t", "rows": 3, "head": "abc"}', ":1: 'head': not a SHA-256"),
        ('{"time": 1, "rows": 3, "head": "' + A + '"}', ":1: 'time': not a time"),
    ],
)
def test_a_line_that_is_no_checkpoint_is_named(tmp_path: Path, line: str, says: str) -> None:
    heads = tmp_path / "heads.jsonl"
    heads.write_text(line + "\n")
    with pytest.raises(CheckpointError) as raised:
        read_checkpoints(heads)
    assert says in str(raised.value)
    assert "repair the line" in str(raised.value)


def test_a_missing_or_empty_file_says_which_file_to_give(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match=r"heads\.jsonl: cannot be read .* --checkpoints"):
        read_checkpoints(tmp_path / "heads.jsonl")
    (tmp_path / "heads.jsonl").write_text("\n")
    with pytest.raises(CheckpointError, match="no checkpoint in it"):
        read_checkpoints(tmp_path / "heads.jsonl")


def test_kept_heads_compared_with_the_store() -> None:
    found = {2: A, 4: B}  # the anchor (row 2, retention deleted up to it) and row 4
    kept = [Checkpoint("t", 4, B, "f:1"), Checkpoint("t", 2, A, "f:2"),
            Checkpoint("t", 1, A, "f:3"), Checkpoint("t", 4, A, "f:4"),
            Checkpoint("t", 3, A, "f:5"), Checkpoint("t", 9, A, "f:6")]  # fmt: skip
    problems, notes = compare(kept, found, last=5, anchor=2)
    assert notes == ["the checkpoint of t at row 1 (f:3): not checked, retention deleted rows "
                     "up to 2"]  # fmt: skip
    assert [problem.split(":", 2)[1] for problem in problems] == ["4)", "5)", "6)"]
    assert f"kept head {A}, the store's row 4 has {B}" in problems[0]
    assert "row 3 is missing" in problems[1]
    assert "the store ends at row 5" in problems[2]


def test_the_receiver_keeps_a_head_when_it_moved(tmp_path: Path) -> None:
    now = [0.0]
    keeper = Keeper(tmp_path / "heads.jsonl", every=60, clock=lambda: now[0])
    assert keeper.due()
    assert keeper.keep((1, A), "t1")
    assert not keeper.due()
    now[0] = 60
    assert keeper.due()
    assert not keeper.keep((1, A), "t2")  # the head did not move
    assert keeper.keep((2, B), "t3")
    assert read_checkpoints(keeper.path) == [
        Checkpoint("t1", 1, A, f"{keeper.path}:1"),
        Checkpoint("t3", 2, B, f"{keeper.path}:2"),
    ]
