"""Heads kept outside the store, on SQLite and on PostgreSQL: a receipt changed and the chain
computed again after it verifies on its own, and ``verify --heads`` finds it; the receiver keeps
its heads (issue 25, point 4)."""

from __future__ import annotations

import json
from pathlib import Path

from policy_site.receipts.opening import open_store
from policy_site.receipts.store import row_hash, stamp
from tests.service.conftest import LEDGER, raw_sql, receipts_cli, start_receiver, stop
from tests.service.test_receiver import _fresh
from tests.service.test_store import _receipts
from tests.unit.test_receipts import NOW


def _stored(db: str, count: int, start: int = 0) -> None:
    store = open_store(db)
    store.append(_receipts(count, start), stamp(NOW))
    store.close()


def _checkpoint(db: str, out: Path) -> dict[str, object]:
    kept = receipts_cli(db, "checkpoint", "--out", str(out))
    assert kept.returncode == 0, kept.stdout + kept.stderr
    line: dict[str, object] = json.loads(out.read_text("utf-8").splitlines()[-1])
    return line


def _rewrite(db: str, seq: int) -> None:
    """What whoever can write the database can do: change row ``seq``'s body, then compute its
    hash and every later row's again, and the chain's head, so that the chain holds."""
    raw_sql(db, f"UPDATE receipts SET body = replace(body, 'banner', 'dialog') WHERE seq = {seq}")
    store = open_store(db)
    rows = list(store.rows())
    store.close()
    prev = rows[seq - 2].hash if seq > 1 else "0" * 64
    for row in rows[seq - 1 :]:
        digest = row_hash(prev, row.seq, row.received, row.body)
        raw_sql(db, f"UPDATE receipts SET prev_hash = '{prev}', hash = '{digest}' "
                    f"WHERE seq = {row.seq}")  # fmt: skip
        prev = digest
    raw_sql(db, f"UPDATE chain SET head_hash = '{prev}' WHERE id = 1")


def test_a_chain_computed_again_holds_alone_and_fails_against_a_kept_head(
    db_url: str, tmp_path: Path
) -> None:
    heads = tmp_path / "heads.jsonl"
    _stored(db_url, 4)
    kept = _checkpoint(db_url, heads)
    assert kept["rows"] == 4
    _stored(db_url, 2, start=4)
    _rewrite(db_url, 2)
    alone = receipts_cli(db_url, "verify")
    assert alone.returncode == 0, alone.stdout  # the gap: the chain alone cannot tell
    assert "no kept head given" in alone.stdout
    store = open_store(db_url)
    found = store.hashes({4})[4]
    store.close()
    assert found != kept["head"]
    checked = receipts_cli(db_url, "verify", "--heads", str(heads))
    assert checked.returncode == 1, checked.stdout
    (broken,) = [line for line in checked.stdout.splitlines() if line.startswith("BROKEN")]
    assert f"the checkpoint of {kept['time']} at row 4 (" in broken
    assert "heads.jsonl:1)" in broken
    assert f"kept head {kept['head']}, the store's row 4 has {found}" in broken
    assert "changed after it was kept" in broken
    assert "Traceback" not in checked.stderr
    pasted = receipts_cli(db_url, "verify", "--head", f"4:{kept['head']}")
    assert pasted.returncode == 1
    assert "BROKEN the checkpoint at row 4 (--head)" in pasted.stdout


def test_a_kept_head_beyond_the_rows_fails(db_url: str, tmp_path: Path) -> None:
    heads = tmp_path / "heads.jsonl"
    _stored(db_url, 3)
    _checkpoint(db_url, heads)
    store = open_store(db_url)
    second = store.hashes({2})[2]
    store.close()
    raw_sql(db_url, "DELETE FROM receipts WHERE seq = 3")  # and the head moved back: it holds
    raw_sql(db_url, f"UPDATE chain SET head_seq = 2, head_hash = '{second}' WHERE id = 1")
    assert receipts_cli(db_url, "verify").returncode == 0
    checked = receipts_cli(db_url, "verify", "--heads", str(heads))
    assert checked.returncode == 1
    assert "at row 3 (" in checked.stdout
    assert "the store ends at row 2: rows were deleted" in checked.stdout


def test_good_heads_pass(db_url: str, tmp_path: Path) -> None:
    heads = tmp_path / "heads.jsonl"
    _stored(db_url, 2)
    _checkpoint(db_url, heads)
    _stored(db_url, 3, start=2)
    second = _checkpoint(db_url, heads)
    assert second["rows"] == 5
    printed = receipts_cli(db_url, "verify").stdout.splitlines()[0].rpartition(" head ")[2]
    assert printed == f"5:{second['head']}"  # what verify prints, --head takes
    checked = receipts_cli(db_url, "verify", "--heads", str(heads), "--head", printed)
    assert checked.returncode == 0, checked.stdout
    assert "3 kept head(s) match the store" in checked.stdout


def test_a_broken_chain_is_not_checkpointed(db_url: str, tmp_path: Path) -> None:
    heads = tmp_path / "heads.jsonl"
    _stored(db_url, 3)
    raw_sql(db_url, "UPDATE receipts SET body = replace(body, 'banner', 'dialog') WHERE seq = 2")
    kept = receipts_cli(db_url, "checkpoint", "--out", str(heads))
    assert kept.returncode == 1
    assert "no checkpoint written" in kept.stdout
    assert not heads.exists()


def test_the_receiver_keeps_its_head(db_url: str, tmp_path: Path) -> None:
    heads = tmp_path / "heads.jsonl"
    running = start_receiver(db_url, None, LEDGER, "--checkpoints", str(heads))
    try:
        assert [running.send(_fresh(index)) for index in range(1, 4)] == [204] * 3
    finally:
        stop(running)
    last = json.loads(heads.read_text("utf-8").splitlines()[-1])
    verified = receipts_cli(db_url, "verify", "--heads", str(heads))
    assert verified.returncode == 0, verified.stdout
    assert f"head 3:{last['head']}" in verified.stdout
    assert last["rows"] == 3


def test_a_receiver_that_cannot_write_its_checkpoints_does_not_start(
    db_url: str, tmp_path: Path
) -> None:
    command = receipts_cli(db_url, "serve", "--releases", str(LEDGER),
                           "--checkpoints", str(tmp_path / "no" / "heads.jsonl"))  # fmt: skip
    assert command.returncode == 2
    assert "heads.jsonl: checkpoints cannot be written there" in command.stderr
    assert "Traceback" not in command.stderr
