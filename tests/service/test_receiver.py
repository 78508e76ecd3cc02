"""The receiver over real HTTP on loopback, its store on SQLite and on PostgreSQL: 204 only for a
receipt it stored, a 4xx with nothing stored for anything else, and the privacy team's commands on
what it kept."""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from policy_site.receipts.validate import expand
from tests.service.conftest import (
    LEDGER,
    Receiver,
    count_rows,
    fresh_database,
    receipts_cli,
    start_receiver,
    stop,
)
from tests.unit.test_receipts import now_ms, receipt


def _fresh(index: int, record: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """A receipt of now (the receiver checks its clock), with its own ids."""
    choice = {"id": f"{index:015x}f", "ts": now_ms()} | (record or {})
    return receipt(choice, i=f"{index:016x}") | changes


def _count(receiver: Receiver) -> int:
    return count_rows(receiver.db)


def test_a_receipt_is_acknowledged_once_stored_and_exported(receiver: Receiver) -> None:
    sent = _fresh(1)
    assert receiver.send(sent) == 204
    assert receiver.send(sent) == 204  # a retry of the same receipt: stored once
    assert _count(receiver) == 1
    exported = receipts_cli(receiver.db, "export", "--subject", sent["r"]["id"])
    assert exported.returncode == 0, exported.stderr
    document = json.loads(exported.stdout)
    (record,) = document["receipts"]
    release = record["release"]
    # As sent, and what its release says: the browser cannot forge the policy's hash.
    assert record["receipt"] == expand(sent) | {"policy": release["policy_version"],
                                        "policy_sha256": release["policy_sha256"],
                                        "release": release["id"]}  # fmt: skip
    assert record["release"]["revision"] == sent["r"]["pv"]
    assert sent["b"] in {path.rpartition("/")[2] for path in record["release"]["files"]}
    assert document["chain"]["holds"] is True
    verified = receipts_cli(receiver.db, "verify")
    assert verified.returncode == 0
    assert "the chain holds: 1 receipts kept" in verified.stdout


def test_what_is_refused_is_not_stored(receiver: Receiver) -> None:
    good = json.dumps(_fresh(2)).encode()
    assert receiver.post(good, "text/plain;charset=UTF-8") == 415
    assert receiver.post(b"{" + b" " * 3000 + b"}") == 413
    assert receiver.post(b"{not json") == 400
    assert receiver.send(_fresh(3, {"pv": "2001-01-01.00000000"})) == 400
    assert receiver.send(_fresh(4, ip="192.0.2.1")) == 400
    assert receiver.send(_fresh(2)) == 204
    assert receiver.send(_fresh(2, m="d")) == 400  # the id is taken by another body
    assert _count(receiver) == 1


def test_a_choice_sent_again_under_a_new_id_is_answered_204_and_stored_once(
    receiver: Receiver,
) -> None:
    sent = _fresh(5)
    assert receiver.send(sent) == 204
    assert receiver.send(sent | {"i": "f" * 16, "m": "a"}) == 204  # the browser may stop
    assert _count(receiver) == 1


def test_one_subject_sending_too_fast_gets_429(receiver: Receiver) -> None:
    # Each a choice of its own: the same choice again (the same time) would be stored once.
    statuses = [receiver.send(_fresh(7 * i, {"id": "abcdefabcdefabcd", "ts": now_ms() + i}))
                for i in range(1, 33)]  # fmt: skip
    assert statuses[:30] == [204] * 30
    assert statuses[30:] == [429, 429]
    assert _count(receiver) == 30


def test_concurrent_receipts_are_all_stored_and_the_chain_holds(receiver: Receiver) -> None:
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda i: receiver.send(_fresh(1000 + i)), range(400)))
    assert statuses == [204] * 400
    assert _count(receiver) == 400
    stats = receipts_cli(receiver.db, "stats")
    assert stats.returncode == 0
    assert stats.stdout.splitlines()[1].split()[1:5] == ["0", "400", "0", "400"]  # all partial
    assert receipts_cli(receiver.db, "verify").returncode == 0
    exported = receipts_cli(receiver.db, "export", "--from", "2026-01-01", "--format", "csv")
    assert len(exported.stdout.splitlines()) == 401


def test_a_lost_database_connection_is_opened_again(postgres: str) -> None:
    """PostgreSQL restarts, or drops the connection: the batch that finds it gone is answered
    503 (not stored, and the page's choice still applies), and the next one gets a new one."""
    import psycopg

    db = fresh_database(postgres)
    running = start_receiver(db)
    try:
        assert running.send(_fresh(1)) == 204
        with psycopg.connect(db, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        statuses = [running.send(_fresh(index)) for index in range(2, 6)]
        assert statuses[0] in (204, 503)
        assert statuses[1:] == [204, 204, 204]
        assert count_rows(db) == 1 + statuses.count(204)
        assert receipts_cli(db, "verify").returncode == 0
    finally:
        stop(running)


def test_the_receiver_deletes_what_is_older_than_the_retention_period(db_url: str) -> None:
    import datetime as dt

    from policy_site.receipts.opening import open_store
    from policy_site.receipts.store import stamp

    store = open_store(db_url)
    now = dt.datetime.now(dt.UTC)
    store.append([expand(_fresh(1))], stamp(now - dt.timedelta(days=31)))
    store.append([expand(_fresh(2))], stamp(now - dt.timedelta(days=29)))
    store.close()
    running = start_receiver(db_url, None, LEDGER, "--retain-days", "30")
    try:
        deadline = time.monotonic() + 10
        while count_rows(db_url) != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert count_rows(db_url) == 1  # at start, then every hour
        assert running.send(_fresh(3)) == 204
        assert receipts_cli(db_url, "verify").returncode == 0
    finally:
        stop(running)


def test_a_release_published_while_it_runs_is_known_without_a_restart(
    db_url: str, tmp_path: Path
) -> None:
    from policy_site.consent.archive import read_releases, releases_json
    from tests.unit.test_receipts import CURRENT

    releases = read_releases(LEDGER.parent)
    ledger = tmp_path / "releases.json"
    before = [release for release in releases if release != CURRENT]  # the ledger until it came
    ledger.write_text(releases_json(before), encoding="utf-8")
    running = start_receiver(db_url, None, ledger)
    try:
        assert running.send(_fresh(1)) == 400  # a bundle it has not heard of
        ledger.write_text(releases_json(releases), encoding="utf-8")  # the build published it
        os.utime(ledger, ns=(0, time.time_ns()))  # a new mtime even on a coarse file system
        assert running.send(_fresh(2)) == 204
        ledger.write_text("{", encoding="utf-8")  # being rewritten: the releases known stay
        os.utime(ledger, ns=(0, time.time_ns() + 1_000_000))
        assert running.send(_fresh(3)) == 204
    finally:
        stop(running)
    assert count_rows(db_url) == 2


def test_export_with_a_ledger_that_lacks_the_release_names_the_fix(
    receiver: Receiver, tmp_path: Path
) -> None:
    sent = _fresh(9)
    assert receiver.send(sent) == 204
    from policy_site.consent.archive import read_releases, releases_json

    # Another site's ledger, under another name: read as named, and it lacks this release.
    other = tmp_path / "their-releases.json"
    theirs = [replace(release, files={}) for release in read_releases(receiver.ledger.parent)]
    other.write_text(releases_json(theirs), encoding="utf-8")
    exported = receipts_cli(receiver.db, "export", "--subject", sent["r"]["id"],
                            "--releases", str(other))  # fmt: skip
    assert exported.returncode == 2
    assert exported.stdout == ""
    assert f"{other}: no release holds {sent['b']}, which receipt {sent['i']} names" in (
        exported.stderr
    )
    assert "--releases PATH/releases.json" in exported.stderr
    assert "Traceback" not in exported.stderr
    # The format dpv says the same (run where mkdocs.yml names the controller).
    exported = receipts_cli(receiver.db, "export", "--subject", sent["r"]["id"],
                            "--releases", str(other), "--format", "dpv")  # fmt: skip
    assert exported.returncode == 2
    assert f"{other}: no release holds {sent['b']}" in exported.stderr
