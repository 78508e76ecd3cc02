"""Several receivers on one database, behind a real nginx with the ``upstream`` the build writes
for ``receipts.upstream`` given as a list (manual/docs/receipts.md, "More than one receiver"):
under load, and while one of them is killed (SIGKILL) in the middle of it, every receipt is
answered 204, stored once, and the chain holds; each receiver took its share."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Callable
from pathlib import Path

from policy_site.receipts.opening import open_store
from tests.service.conftest import count_rows, start_receiver, stop
from tests.service.test_load import _no_proxy, _receipts, _run, _send_all, _stored_ids
from tests.service.test_nginx_receipts import nginx_before

__all__ = ["_no_proxy"]  # loopback only, for these tests too

RECEIPTS = 6000
RECEIVERS = 3


def test_receivers_behind_nginx_store_each_receipt_once_while_one_is_killed(
    new_db: Callable[[], str], tmp_path: Path
) -> None:
    db = new_db()
    receivers = [start_receiver(db) for _ in range(RECEIVERS)]
    killed = receivers[1]
    sent = list(_receipts(RECEIPTS, seed=5))
    bodies = [json.dumps(r).encode() for r in sent]
    try:
        with nginx_before(tmp_path, receivers) as url:

            async def load_and_kill() -> list[int]:
                sending = asyncio.ensure_future(_send_all(url, bodies))
                while count_rows(db) < RECEIPTS // 4:  # well into the load
                    await asyncio.sleep(0.02)
                killed.process.send_signal(signal.SIGKILL)
                return await sending

            statuses = _run(load_and_kill())
            # Sent again, all of them: each is answered, and none stored twice.
            again = _run(_send_all(url, bodies[: RECEIPTS // 3]))
    finally:
        for receiver in receivers:
            stop(receiver)
    log = (tmp_path / "access.log").read_text(encoding="utf-8").splitlines()
    assert killed.process.returncode == -signal.SIGKILL
    wrong = {status for status in statuses + again if status != 204}
    assert not wrong, f"answers other than 204: {sorted(wrong)}; nginx: {log[-5:]}"
    assert count_rows(db) == RECEIPTS
    assert _stored_ids(db) == {r["i"] for r in sent}
    store = open_store(db)
    try:
        assert store.verify().problems == []
    finally:
        store.close()
    # Every receiver answered some of the load, the killed one before its end.
    tried = [line.split(" ", 1)[1] for line in log]
    for receiver in receivers:
        address = receiver.url.split("/")[2]
        assert sum(address in line for line in tried) > RECEIPTS // (4 * RECEIVERS), address
