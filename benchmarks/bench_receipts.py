"""The part of ``./scripts/bench`` that measures the receipts receiver: receipts per second and the
latency of each (from the request sent to its 204, which comes once the receipt is committed), on
SQLite (a file in a temporary folder, WAL, synchronous=FULL) and on PostgreSQL (a throwaway server
on loopback, fsync on: tests/pgserver.py).

Each run starts ``policy-site receipts serve`` as its own process on a free loopback port, with
this project's ledger of releases, and sends it receipts of the current bundle from 50 concurrent
aiohttp clients in this process, after 200 receipts of warm-up. Client and server share the
machine's cores, as they would not in production: the figures are a floor, not a capacity.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ReceiverRun", "measure_receiver"]

CLIENTS = 50
WARM_UP = 200


@dataclass(frozen=True)
class ReceiverRun:
    database: str
    receipts: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.receipts / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)


def _bodies(count: int, start: int) -> list[bytes]:
    from tests.unit.test_receipts import now_ms, receipt

    now = now_ms()
    return [
        json.dumps(receipt({"id": f"{start + n:015x}a", "ts": now,
                            "c": {"analytics": n % 2 == 0, "advertising": n % 3 == 0}},
                           i=f"{start + n:016x}")).encode()
        for n in range(count)
    ]  # fmt: skip


async def _send(url: str, bodies: list[bytes]) -> tuple[float, list[float]]:
    import aiohttp

    latencies: list[float] = []
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)

    async def client(session: Any) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            sent = time.perf_counter()
            async with session.post(
                url, data=body, headers={"Content-Type": "application/json"}
            ) as response:
                if response.status != 204:
                    raise RuntimeError(f"the receiver answered {response.status}")
            latencies.append((time.perf_counter() - sent) * 1000)

    connector = aiohttp.TCPConnector(limit=CLIENTS)
    async with aiohttp.ClientSession(connector=connector, trust_env=False) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(CLIENTS)))
        return time.perf_counter() - started, latencies


def _run(database: str, db: str, count: int) -> ReceiverRun:
    from tests.service.conftest import start_receiver, stop

    receiver = start_receiver(db)
    try:
        asyncio.run(_send(receiver.url, _bodies(WARM_UP, 0)))
        seconds, latencies = asyncio.run(_send(receiver.url, _bodies(count, WARM_UP)))
    finally:
        stop(receiver)
    return ReceiverRun(database, count, seconds, latencies)


def measure_receiver(count: int) -> list[ReceiverRun]:
    """A run on SQLite, then one on PostgreSQL (raises PostgresMissingError without it)."""
    import psycopg

    from tests.pgserver import throwaway_postgres

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        runs.append(_run("SQLite", f"sqlite:///{Path(tmp) / 'receipts.db'}", count))
    with throwaway_postgres() as server:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute("CREATE DATABASE bench_receipts")
        runs.append(_run("PostgreSQL", server.rpartition("/")[0] + "/bench_receipts", count))
    return runs
