"""Receipts of consent choices: the strict check of what a browser sends, and the append-only store
with its hash chain (SQLite here; tests/build/test_receipts_postgresql.py runs the same store on a
real PostgreSQL server)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_site.consent.releases import read_releases
from policy_site.receipts.store import Store, StoreError, open_store, stamp
from policy_site.receipts.validate import (
    MAX_BYTES,
    Invalid,
    Releases,
    check_receipt,
    parse_receipt,
)
from tests.support import ROOT

NOW = dt.datetime(2026, 12, 2, 12, 0, tzinfo=dt.UTC)
RELEASES = read_releases(ROOT / "consent" / "published")
CURRENT = next(r for r in RELEASES if r.revision.startswith("2007-10-01."))
JSON = "application/json"


def receipt(**changes: Any) -> dict[str, Any]:
    """A receipt the project's current bundle (English) would send."""
    bundle = next(p for p in CURRENT.files if ".en." in p).rpartition("/")[2]
    value: dict[str, Any] = {
        "v": 1, "id": "0123456789abcdef", "subject": "fedcba9876543210",
        "time": "2026-12-02T11:59:58.123Z", "event": "given", "method": "banner",
        "categories": {"analytics": True, "advertising": False},
        "policy": CURRENT.policy_version, "policy_sha256": CURRENT.policy_sha256,
        "revision": CURRENT.revision, "bundle": bundle, "language": "en",
        "path": "/privacy/", "gpc": False,
    }  # fmt: skip
    return value | changes


def accepted(value: dict[str, Any], content_type: str = JSON) -> dict[str, Any]:
    parsed = parse_receipt(json.dumps(value).encode(), content_type)
    check_receipt(parsed, Releases.of(RELEASES), NOW)
    return parsed


def refused(body: bytes, content_type: str = JSON) -> Invalid:
    with pytest.raises(Invalid) as caught:
        check_receipt(parse_receipt(body, content_type), Releases.of(RELEASES), NOW)
    return caught.value


def test_a_receipt_of_the_current_bundle_is_accepted() -> None:
    assert accepted(receipt()) == receipt()
    assert accepted(receipt(), "application/json; charset=utf-8") == receipt()


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (json.dumps(receipt()).encode(), "text/plain;charset=UTF-8", 415),
        (json.dumps(receipt()).encode(), "", 415),
        (json.dumps(receipt(path="/" + "a" * MAX_BYTES)).encode(), JSON, 413),
        (b'{"v": 1, "v": 1}', JSON, 400),
        (b"\xff\xfe{}", JSON, 400),
        (b"[" * 1020 + b"]" * 1020, JSON, 400),
        (json.dumps(receipt()).replace('"v": 1', '"v": NaN').encode(), JSON, 400),
        (b"null", JSON, 400),
    ],
    ids=["text-plain", "no-type", "too-large", "duplicate-key", "bad-utf8", "deep", "nan", "null"],
)
def test_what_is_not_a_receipt_gets_its_status(body: bytes, content_type: str, status: int) -> None:
    assert refused(body, content_type).status == status


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"bundle": "consent.en.000000000000.js"}, "bundle:"),
        ({"bundle": "../../etc/passwd"}, "bundle:"),
        ({"revision": "2007-10-01.00000000"}, "revision:"),
        ({"policy_sha256": "0" * 64}, "policy:"),
        ({"categories": {"analytics": True}}, "categories:"),
        ({"categories": {"analytics": True, "advertising": False, "extra": True}}, "categories:"),
        ({"method": "gpc"}, "method:"),
        ({"time": "2026-11-29T12:00:00Z"}, "time:"),
        ({"time": "2026-12-02T12:00:00"}, "time"),
        ({"path": "/privacy/?utm_source=x"}, "path"),
        ({"event": "maybe"}, "event"),
        ({"ip": "192.0.2.1"}, "Additional properties"),
        ({"id": "NOT-HEX-0123456"}, "id"),
        ({"categories": {"analytics": "yes", "advertising": False}}, "analytics"),
    ],
)
def test_a_receipt_that_disagrees_with_its_release_is_refused(
    changes: dict[str, Any], says: str
) -> None:
    problem = refused(json.dumps(receipt(**changes)).encode())
    assert problem.status == 400
    assert says in str(problem)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
        max_leaves=30,
    )
)
def test_any_other_json_is_refused_with_a_4xx(value: Any) -> None:
    assert refused(json.dumps(value).encode()).status in (400, 413)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(receipt())), st.one_of(st.none(), st.integers(), st.text(),
       st.lists(st.integers()), st.dictionaries(st.text(), st.booleans())))  # fmt: skip
def test_a_receipt_with_any_field_replaced_is_refused_or_still_right(key: str, value: Any) -> None:
    changed = receipt(**{key: value})
    outcome: Invalid | dict[str, Any]
    try:
        outcome = accepted(changed)
    except Invalid as problem:
        outcome = problem
    if isinstance(outcome, Invalid):
        assert outcome.status in (400, 413)
    else:
        assert outcome == changed  # the replacement happened to be valid (say, another bool)


# -- the store -----------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(str(tmp_path / "receipts.db"))


def _receipts(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [receipt(id=f"{start + i:016x}", subject=f"{(start + i) % 3:016x}",
                    categories={"analytics": i % 2 == 0, "advertising": i % 3 == 0})
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
    assert [row.receipt for row in store.rows()] == [first]


def _tamper(path: Path, sql: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute(sql)


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
    ],
    ids=["body", "middle-row", "last-row", "received"],
)
def test_verify_finds_what_was_changed_or_removed(tmp_path: Path, sql: str, says: str) -> None:
    path = tmp_path / "receipts.db"
    store = open_store(str(path))
    store.append(_receipts(4), stamp(NOW))
    store.close()
    _tamper(path, sql)
    problems = open_store(str(path)).verify().problems
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


def test_a_database_from_a_newer_policy_site_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "receipts.db"
    open_store(str(path)).close()
    _tamper(path, "UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="schema version 99"):
        open_store(str(path))


def test_sqlite_runs_with_its_write_ahead_log(tmp_path: Path) -> None:
    path = tmp_path / "receipts.db"
    open_store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
