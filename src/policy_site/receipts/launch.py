"""Starting the receipts receiver beside a preview, an audit or a test: ``policy-site receipts
serve`` in a process of its own, on a free loopback port, for a built site that sends receipts.
It imports nothing of the receiver (aiohttp), only starts it."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from policy_site.problems import PolicySiteError

__all__ = ["ReceiverError", "free_port", "receipts_endpoint", "receiving"]


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ReceiverError(PolicySiteError):
    """The receipts receiver did not start."""


def receipts_endpoint(site: Path) -> str | None:
    """The endpoint the built ``site`` sends receipts to (its consent/consent.json names it), or
    None when it sends none."""
    manifest = site / "consent" / "consent.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text("utf-8")).get("receipts") or None


@contextmanager
def receiving(
    site: Path, db: str, port: int, quiet: bool = False
) -> Iterator[tuple[str, str] | None]:
    """``policy-site receipts serve`` on ``port`` while the block runs, when the built site sends
    receipts (its consent/consent.json names an endpoint): (endpoint, its host:port), to pass
    them on; None, and no receiver, when it does not. Raises ReceiverError when it cannot start."""
    endpoint = receipts_endpoint(site)
    if not endpoint:
        yield None
        return
    ledger = site / "consent" / "releases.json"
    command_line = [sys.executable, "-m", "policy_site.cli", "receipts", "--db", db, "serve",
                    "--port", str(port), "--releases", str(ledger)]  # fmt: skip
    quieted = {"stdout": subprocess.DEVNULL} if quiet else {}
    process = subprocess.Popen(command_line, **quieted)  # type: ignore[call-overload]
    try:
        deadline = time.monotonic() + 30
        while True:  # ready before the first page asks
            if process.poll() is not None:
                raise ReceiverError(
                    f"The receipts receiver did not start on 127.0.0.1:{port} (it said why above; "
                    "a port in use? choose another with --receipts-port)."
                )
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise ReceiverError("The receipts receiver did not listen in 30 s.") from None
                time.sleep(0.05)
        if not quiet:
            print(f"Receipts: {endpoint} is passed on to the receiver on 127.0.0.1:{port} ({db}).")
        yield endpoint, f"127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
