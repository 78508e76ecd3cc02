"""The receipts store on SQLite and on a real PostgreSQL server (the same tests, one schema):
append-only, each row chained to the one before, retention that keeps the chain verifiable."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from policy_site.receipts import store as store_module
from policy_site.receipts.opening import open_store
from policy_site.receipts.store import Store, StoreError, stamp
from policy_site.receipts.validate import expand
from tests.service.conftest import raw_sql, receipts_cli
from tests.unit.test_receipts import NOW, SENT, receipt


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.close()


def _receipts(count: int, start: int = 0) -> list[dict[str, Any]]:
    """Receipts of ``count`` choices, each a millisecond after the one before."""
    return [expand(receipt({"id": f"{(start + i) % 3:016x}", "ts": SENT + start + i,
                            "c": {"analytics": i % 2 == 0, "advertising": i % 3 == 0}},
                           i=f"{start + i:016x}"))
            for i in range(count)]  # fmt: skip


def test_appended_receipts_come_back_in_order_and_verify(store: Store) -> None:
    assert store.append(_receipts(5), stamp(NOW)) == [True] * 5
    rows = list(store.rows())
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    assert [row.receipt for row in rows] == _receipts(5)
    assert [row.id for row in store.rows(subject=f"{1:016x}")] == [f"{1:016x}", f"{4:016x}"]
    verified = store.verify()
    assert (verified.rows, verified.head_seq, verified.problems) == (5, 5, [])
    assert verified.head_hash == rows[-1].hash


def test_a_receipt_sent_twice_is_stored_once_and_a_taken_id_is_refused(store: Store) -> None:
    (first,) = _receipts(1)
    assert store.append([first, first], stamp(NOW)) == [True, True]
    assert store.append([first | {"event": "changed"}], stamp(NOW)) == [False]
    (second,) = _receipts(1, start=1)
    assert store.append([second, second | {"event": "changed"}], stamp(NOW)) == [True, False]
    assert [row.receipt for row in store.rows()] == [first, second]


def test_a_choice_sent_again_under_a_new_id_is_stored_once(db_url: str) -> None:
    """The same subject, record and time under another receipt id (another method or page, as a
    script that sends a choice again writes it): stored once, and True, so that the receiver
    answers 204 and the browser stops; by every receiver that shares the database."""
    first, later = _receipts(2)
    again = first | {"id": "f" * 16, "method": "api", "path": "/other/"}
    one, other = open_store(db_url), open_store(db_url)
    assert one.append([first], stamp(NOW)) == [True]
    assert other.append([again, later, later | {"id": "e" * 16}], stamp(NOW)) == [True] * 3
    assert one.append([again], stamp(NOW)) == [True]
    assert [row.receipt for row in one.rows()] == [first, later]
    # Another time, or another choice, of the same subject is another record.
    moved = first | {"id": "d" * 16, "time": later["time"]}
    changed = first | {"id": "c" * 16, "categories": {"analytics": False, "advertising": False}}
    assert one.append([moved, changed], stamp(NOW)) == [True, True]
    assert one.verify().rows == 4
    one.close()
    other.close()
    # The database holds it too, for whatever writes to it.
    with pytest.raises(Exception, match=r"receipts\.choice|receipts_choice"):
        raw_sql(
            db_url,
            "INSERT INTO receipts SELECT seq + 10, id || 'x', received, subject, "
            "event, outcome, body, prev_hash, hash, choice FROM receipts WHERE seq = 1",
        )


def test_a_store_that_kept_a_choice_twice_is_migrated(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before schema version 2 a choice sent again was stored again: those rows stay as they
    are, and what comes after is stored once."""
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:1])
    open_store(db_url).close()
    for seq in (1, 2):
        raw_sql(db_url, f"INSERT INTO receipts VALUES ({seq}, '{seq:016x}', 'r', 's', 'given', "
                "'given', '{}', 'p', 'h')")  # fmt: skip
    raw_sql(db_url, "UPDATE chain SET head_seq = 2")
    monkeypatch.undo()
    store = open_store(db_url)
    (first,) = _receipts(1, start=3)
    assert store.append([first, first | {"id": "f" * 16}], stamp(NOW)) == [True, True]
    assert [row.seq for row in store.rows()] == [1, 2, 3]
    store.close()


def test_a_batch_larger_than_one_lookup_is_checked_whole(store: Store) -> None:
    many = _receipts(1_200)  # the taken ids are asked 500 at a time
    assert store.append(many, stamp(NOW)) == [True] * 1_200
    assert store.append([*many[::-1], *_receipts(1, start=1_200)], stamp(NOW)) == [True] * 1_201
    assert store.verify().rows == 1_201


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        (
            "UPDATE receipts SET body = replace(body, 'banner', 'dialog') WHERE seq = 2",
            "row 2: changed",
        ),
        ("DELETE FROM receipts WHERE seq = 2", "row 2: missing"),
        ("DELETE FROM receipts WHERE seq = 4", "the chain ends at row 3"),
        ("UPDATE receipts SET received = '2020-01-01T00:00:00.000000Z' WHERE seq = 1", "row 1"),
        # Columns beside the chained body: a subject's export, and a later choice, read them.
        ("UPDATE receipts SET subject = 'someone else' WHERE seq = 3", "row 3: its subject"),
        (
            "UPDATE receipts SET outcome = 'given', event = 'x' WHERE seq = 2",
            "row 2: its event, outcome changed",
        ),
        ("UPDATE receipts SET choice = 'f' WHERE seq = 1", "row 1: its choice changed"),
    ],
    ids=["body", "middle-row", "last-row", "received", "subject", "outcome", "choice"],
)
def test_verify_finds_what_was_changed_or_removed(db_url: str, sql: str, says: str) -> None:
    store = open_store(db_url)
    store.append(_receipts(4), stamp(NOW))
    store.close()
    raw_sql(db_url, sql)
    problems = open_store(db_url).verify().problems
    assert problems
    assert says in problems[0]


def test_retention_deletes_old_rows_and_the_chain_still_verifies(store: Store) -> None:
    store.append(_receipts(3), stamp(NOW - dt.timedelta(days=400)))
    store.append(_receipts(2, start=3), stamp(NOW))
    assert store.prune(stamp(NOW - dt.timedelta(days=395))) == 3
    assert [row.seq for row in store.rows()] == [4, 5]
    verified = store.verify()
    assert (verified.rows, verified.anchor_seq, verified.problems) == (2, 3, [])
    assert store.prune(stamp(NOW - dt.timedelta(days=395))) == 0
    store.append(_receipts(1, start=5), stamp(NOW))
    assert store.verify().problems == []


def test_stats_count_each_day_given_refused_and_partial(store: Store) -> None:
    store.append(_receipts(6), stamp(NOW - dt.timedelta(days=1)))
    store.append(_receipts(1, start=6), stamp(NOW))
    # i = 0..5: analytics on even, advertising on multiples of 3.
    assert store.stats() == [
        ("2026-12-01", "given", 1),
        ("2026-12-01", "partial", 3),
        ("2026-12-01", "refused", 2),
        ("2026-12-02", "given", 1),
    ]


def test_stats_prints_each_days_share_of_given_under_given_percent(
    store: Store, db_url: str
) -> None:
    """``receipts stats``: its last column is given / total, headed ``given %`` (not
    ``accepted``, which partial choices are too)."""
    store.append(_receipts(6), stamp(NOW - dt.timedelta(days=1)))
    store.append(_receipts(1, start=6), stamp(NOW))
    printed = receipts_cli(db_url, "stats")
    assert printed.returncode == 0, printed.stderr
    assert [line.split() for line in printed.stdout.splitlines()] == [
        ["day", "given", "partial", "refused", "total", "given", "%"],
        ["2026-12-01", "1", "3", "2", "6", f"{1 / 6:.0%}"],
        ["2026-12-02", "1", "0", "0", "1", "100%"],
    ]
    assert printed.stdout.splitlines()[0].endswith("  given %")


def test_a_database_from_a_newer_policy_site_is_refused(db_url: str) -> None:
    open_store(db_url).close()
    raw_sql(db_url, "UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="schema version 99"):
        open_store(db_url)


def test_a_store_opened_again_keeps_its_rows(db_url: str) -> None:
    first = open_store(db_url)
    first.append(_receipts(2), stamp(NOW))
    first.close()
    again = open_store(db_url)
    assert [row.seq for row in again.rows()] == [1, 2]
    assert again.verify().problems == []
    again.close()


def test_sqlite_runs_with_its_write_ahead_log(tmp_path: Path) -> None:
    path = tmp_path / "receipts.db"
    open_store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
