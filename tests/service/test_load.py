"""Under load and faults, nothing acknowledged is lost: 20,000 receipts from 50 concurrent clients
on each database, every 204 found in the store; the receiver killed (SIGKILL) in the middle of a
load and started again, every receipt acknowledged before the kill still there and the chain
whole; and 5,000 hostile bodies, each refused with a 4xx and none stored."""

from __future__ import annotations

import asyncio
import json
import random
import signal
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import aiohttp
import pytest

from policy_site.receipts.launch import free_port
from policy_site.receipts.opening import open_store
from tests.service.conftest import Receiver, count_rows, start_receiver, stop
from tests.unit.test_receipts import now_ms, receipt

T = TypeVar("T")
RECEIPTS = 20_000
CLIENTS = 50


def _receipts(count: int, seed: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    now = now_ms()
    for _ in range(count):
        categories = {"analytics": rng.random() < 0.5, "advertising": rng.random() < 0.5}
        record = {"id": f"{rng.getrandbits(64):016x}", "ts": now, "c": categories}
        yield receipt(record, i=f"{rng.getrandbits(64):016x}")


async def _send_all(url: str, bodies: list[bytes], content_type: str = "application/json"
                    ) -> list[int]:  # fmt: skip
    """Each body POSTed by one of CLIENTS concurrent clients; its status, or 0 when the
    connection failed (a receiver killed mid-request)."""
    statuses = [0] * len(bodies)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(bodies)):
        queue.put_nowait(index)

    async def client(session: aiohttp.ClientSession) -> None:
        while not queue.empty():
            index = queue.get_nowait()
            try:
                async with session.post(
                    url, data=bodies[index], headers={"Content-Type": content_type}
                ) as response:
                    statuses[index] = response.status
            except (TimeoutError, aiohttp.ClientError):
                statuses[index] = 0

    timeout = aiohttp.ClientTimeout(total=60)
    connector = aiohttp.TCPConnector(limit=CLIENTS)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(client(session) for _ in range(CLIENTS)))
    return statuses


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on a thread of its own: pytest-playwright's sync API keeps an event loop
    running on the main thread once a browser test has run."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _stored_ids(db: str) -> set[str]:
    store = open_store(db)
    try:
        return {row.id for row in store.rows()}
    finally:
        store.close()


def test_every_acknowledged_receipt_of_a_load_is_stored(receiver: Receiver) -> None:
    sent = list(_receipts(RECEIPTS, seed=1))
    statuses = _run(_send_all(receiver.url, [json.dumps(r).encode() for r in sent]))
    assert statuses.count(204) == RECEIPTS
    assert _stored_ids(receiver.db) == {r["i"] for r in sent}
    store = open_store(receiver.db)
    assert store.verify().problems == []
    store.close()


def test_a_receiver_killed_mid_load_lost_nothing_it_acknowledged(db_url: str) -> None:
    port = free_port()
    running = start_receiver(db_url, port)
    sent = list(_receipts(6000, seed=2))
    bodies = [json.dumps(r).encode() for r in sent]

    async def load_and_kill() -> list[int]:
        sending = asyncio.ensure_future(_send_all(running.url, bodies))
        while count_rows(db_url) < 1500:  # well into the load
            await asyncio.sleep(0.02)
        running.process.send_signal(signal.SIGKILL)
        return await sending

    statuses = _run(load_and_kill())
    running.process.wait()
    acknowledged = {r["i"] for r, status in zip(sent, statuses, strict=True) if status == 204}
    # The kill came in the middle. Receipts committed when it came may not have been answered
    # yet: what was acknowledged can be fewer than the 1,500 stored.
    assert 0 < len(acknowledged) < len(sent)
    assert set(statuses) <= {204, 0}
    again = start_receiver(db_url, port)
    try:
        assert acknowledged <= _stored_ids(db_url)
        store = open_store(db_url)
        assert store.verify().problems == []
        store.close()
        # The receiver takes receipts again after the crash, on the same chain.
        late = [json.dumps(r).encode() for r in _receipts(50, seed=3)]
        assert _run(_send_all(again.url, late)) == [204] * 50
        store = open_store(db_url)
        assert store.verify().problems == []
        store.close()
    finally:
        stop(again)


def _hostile(rng: random.Random) -> tuple[bytes, str]:
    """A body and content type no receiver may store."""
    good = receipt({"ts": now_ms()})
    kind = rng.randrange(9)
    key = rng.choice(sorted(good))
    if kind == 0:  # a field of the wrong type
        kinds: tuple[Any, ...] = (None, 2, 1.5, "x", [], {}, True)
        wrong = rng.choice([w for w in kinds if type(w) is not type(good[key])])
        return json.dumps(good | {key: wrong}).encode(), "application/json"
    if kind == 1:  # a huge string
        return json.dumps(
            good | {key: "x" * rng.randrange(2000, 20000)}
        ).encode(), "application/json"
    if kind == 2:  # deep nesting
        depth = rng.randrange(50, 1000)
        return (b"[" * depth + b"]" * depth), "application/json"
    if kind == 3:  # not UTF-8
        body = json.dumps(good).encode()
        cut = rng.randrange(len(body))
        return body[:cut] + bytes([rng.randrange(0x80, 0x100)]) + body[cut:], "application/json"
    if kind == 4:  # the wrong content type
        return json.dumps(good).encode(), rng.choice(
            ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
             "multipart/form-data", "application/jsonp", ""])  # fmt: skip
    if kind == 5:  # a forged revision, bundle or policy hash
        record = good["r"]
        forged = [{"r": record | {"pv": "2007-10-01." + f"{rng.getrandbits(32):08x}"}},
                  {"b": f"consent.en.{rng.getrandbits(48):012x}.js"},
                  {"r": record | {"c": {"analytics": True, "advertising": False, "x": True}}},
                  {"o": {"analytics": True}}]  # fmt: skip
        return json.dumps(good | rng.choice(forged)).encode(), "application/json"
    if kind == 6:  # a key too many, or one missing
        changed = dict(good)
        if rng.random() < 0.5:
            changed.pop(key)
        else:
            changed[rng.choice(["ip", "ua", "url", "email", "__proto__"])] = "x"
        return json.dumps(changed).encode(), "application/json"
    if kind == 7:  # random bytes
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))), "application/json"
    return json.dumps(rng.choice([[], "", 0, None, [good], {"receipt": good}])).encode(), (
        "application/json"
    )


def test_hostile_bodies_get_a_4xx_and_nothing_is_stored(receiver: Receiver) -> None:
    rng = random.Random(4)
    cases = [_hostile(rng) for _ in range(5000)]
    by_type: dict[str, list[bytes]] = {}
    for body, content_type in cases:
        by_type.setdefault(content_type, []).append(body)
    statuses: list[int] = []
    for content_type, bodies in by_type.items():
        statuses += _run(_send_all(receiver.url, bodies, content_type))
    assert len(statuses) == 5000
    assert set(statuses) <= {400, 413, 415}, sorted(set(statuses))
    assert count_rows(receiver.db) == 0


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback only: no proxy from the environment between the clients and the receiver."""
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
