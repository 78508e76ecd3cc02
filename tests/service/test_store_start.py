"""Receivers started at the same moment on one database, new or already made (issue 25, point 1):
the schema's creation and migration take a lock, so each start succeeds and the schema is made
once; on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest

from policy_site.receipts.opening import open_store
from policy_site.receipts.store import MIGRATIONS, Store, stamp
from tests.service.conftest import (
    Receiver,
    count_rows,
    fresh_database,
    receipts_cli,
    scalar,
    start_receiver,
    stop,
)
from tests.service.test_receiver import _fresh
from tests.service.test_store import _receipts
from tests.unit.test_receipts import NOW

T = TypeVar("T")

#: Fresh databases each test starts on: without the lock, a race lost in most tries, not all.
ROUNDS = 5


def _at_once(count: int, start: Callable[[], T]) -> list[T | Exception]:
    """``start()`` in ``count`` threads released together by a barrier: what each returned or
    raised."""
    barrier = threading.Barrier(count)

    def one(_: int) -> T | Exception:
        barrier.wait()
        try:
            return start()
        except Exception as err:
            return err

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


@pytest.mark.parametrize("starting", [2, 4])
@pytest.mark.parametrize("made", [False, True], ids=["new", "made"])
def test_stores_opened_at_once_make_the_schema_once_and_each_writes(
    new_db: Callable[[], str], starting: int, made: bool
) -> None:
    for _ in range(ROUNDS):
        _open_at_once(new_db(), starting, made)


def _open_at_once(db: str, starting: int, made: bool) -> None:
    if made:
        open_store(db).close()
    opened = _at_once(starting, lambda: open_store(db))
    stores = [store for store in opened if isinstance(store, Store)]
    try:
        assert [repr(err) for err in opened if not isinstance(err, Store)] == []
        assert count_rows(db, "schema_version") == 1
        assert scalar(db, "SELECT version FROM schema_version") == len(MIGRATIONS)
        assert count_rows(db, "chain") == 1
        for index, store in enumerate(stores):
            assert store.append(_receipts(1, start=index), stamp(NOW)) == [True]
        verified = stores[0].verify()
        assert (verified.rows, verified.head_seq, verified.problems) == (starting, starting, [])
    finally:
        for store in stores:
            store.close()


def test_two_receivers_started_at_once_on_a_new_postgresql_database(postgres: str) -> None:
    db = fresh_database(postgres)
    started = _at_once(2, lambda: start_receiver(db))
    running = [receiver for receiver in started if isinstance(receiver, Receiver)]
    try:
        assert [str(err) for err in started if not isinstance(err, Receiver)] == []
        statuses = [receiver.send(_fresh(index)) for index, receiver in enumerate(running, 1)]
        assert statuses == [204, 204]
    finally:
        for receiver in running:
            stop(receiver)
    assert count_rows(db) == 2
    assert receipts_cli(db, "verify").returncode == 0
