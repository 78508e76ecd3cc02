"""The receipts receiver, run for real: ``policy-site receipts serve`` as its own process on a free
loopback port, with the project's ledger of consent releases."""

from __future__ import annotations

import itertools
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from policy_site.receipts.launch import free_port
from tests.pgserver import PostgresMissingError, throwaway_postgres
from tests.support import ROOT

LEDGER = ROOT / "consent" / "published" / "releases.json"
ENDPOINT = "/consent/receipts"


def receipts_cli(db: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``policy-site receipts --db DB args`` (export, verify, stats), run in ``cwd``."""
    command = [sys.executable, "-m", "policy_site.cli", "receipts", "--db", db, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, check=False)


@dataclass
class Receiver:
    db: str
    url: str
    process: subprocess.Popen[str]
    #: The ledger of releases it checks receipts against.
    ledger: Path = LEDGER

    def post(self, body: bytes, content_type: str = "application/json") -> int:
        request = urllib.request.Request(
            self.url, data=body, method="POST", headers={"Content-Type": content_type}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as err:
            return int(err.code)

    def send(self, receipt: dict[str, object]) -> int:
        return self.post(json.dumps(receipt).encode())


def start_receiver(
    db: str, port: int | None = None, ledger: Path = LEDGER, *options: str
) -> Receiver:
    port = port or free_port()
    command = [sys.executable, "-m", "policy_site.cli", "receipts", "--db", db, "serve",
               "--port", str(port), "--releases", str(ledger), *options]  # fmt: skip
    # A file, not a pipe that nobody reads and that could fill and stall the receiver; it lives
    # as long as the process.
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the receiver exited: {log.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return Receiver(db, f"http://127.0.0.1:{port}{ENDPOINT}", process, ledger)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the receiver did not listen within 30 s")


def stop(receiver: Receiver) -> None:
    receiver.process.terminate()
    try:
        receiver.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        receiver.process.kill()
        receiver.process.wait()


@pytest.fixture
def receiver(db_url: str) -> Iterator[Receiver]:
    """The receiver on a new store: on SQLite, then on PostgreSQL."""
    running = start_receiver(db_url)
    yield running
    stop(running)


# -- PostgreSQL: a throwaway cluster of the tests' own -------------------------------------------


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """The URL of a PostgreSQL server started for this test session (tests/pgserver.py)."""
    try:
        with throwaway_postgres() as url:
            yield url
    except PostgresMissingError as err:
        pytest.fail(str(err))


_databases = itertools.count()


def fresh_database(server: str) -> str:
    """A new, empty database on ``server``: its URL."""
    import psycopg

    name = f"receipts_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f"CREATE DATABASE {name}")
    return server.rpartition("/")[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def new_db(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """Gives a new, empty store's URL at each call: on SQLite, then on the PostgreSQL server."""
    if request.param == "sqlite":
        files = itertools.count()
        return lambda: f"sqlite:///{tmp_path}/receipts{next(files) or ''}.db"
    server = request.getfixturevalue("postgres")
    return lambda: fresh_database(server)


@pytest.fixture
def db_url(new_db: Callable[[], str]) -> str:
    """A new, empty store's URL: on SQLite, then on the PostgreSQL server."""
    return new_db()


def raw_sql(url: str, sql: str) -> None:
    """Runs ``sql`` on the store's database behind its back (what an intruder could do)."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute(sql)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(sql.encode())


def count_rows(url: str, table: str = "receipts") -> int:
    return scalar(url, f"SELECT COUNT(*) FROM {table}")


def scalar(url: str, sql: str) -> int:
    """The number ``sql`` selects from the store's database, read behind its back."""
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            return int(db.execute(sql).fetchone()[0])
    import psycopg

    with psycopg.connect(url) as db:
        found = db.execute(sql.encode()).fetchone()
        return int(found[0]) if found else 0
