"""The receipts receiver, run for real: ``policy-site receipts serve`` as its own process on a free
loopback port, with the project's ledger of consent releases."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import ROOT

LEDGER = ROOT / "consent" / "published" / "releases.json"
ENDPOINT = "/consent/receipts"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def receipts_cli(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``policy-site receipts --db DB args`` (export, verify, stats)."""
    command = [sys.executable, "-m", "policy_site.cli", "receipts", "--db", db, *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)


@dataclass
class Receiver:
    db: str
    url: str
    process: subprocess.Popen[str]

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


def start_receiver(db: str, port: int | None = None) -> Receiver:
    port = port or free_port()
    command = [sys.executable, "-m", "policy_site.cli", "receipts", "--db", db, "serve",
               "--port", str(port), "--releases", str(LEDGER)]  # fmt: skip
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
            return Receiver(db, f"http://127.0.0.1:{port}{ENDPOINT}", process)
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
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    running = start_receiver(f"sqlite:///{tmp_path / 'receipts.db'}")
    yield running
    stop(running)
