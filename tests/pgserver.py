"""A throwaway PostgreSQL server for the receipts tests and ``./scripts/bench``: initdb into a
temporary folder, pg_ctl on a free loopback port (trust auth, loopback only), stopped and deleted
at the end. As root it runs as Debian's postgres user (PostgreSQL refuses root)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["PostgresMissingError", "throwaway_postgres"]


class PostgresMissingError(RuntimeError):
    """initdb or pg_ctl is not on this machine."""


def _bin(name: str) -> str:
    versions = Path("/usr/lib/postgresql").glob(f"*/bin/{name}")
    newest = sorted(versions, key=lambda path: int(path.parents[1].name.split(".")[0]))
    found = [str(path) for path in newest] or [shutil.which(name) or ""]
    if not found[-1]:
        raise PostgresMissingError(
            f"{name} not found: ./scripts/test installs Debian's postgresql as root; otherwise "
            "install it (sudo apt-get install postgresql)"
        )
    return found[-1]


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """The URL of the server's ``postgres`` database, while the block runs."""
    folder = Path(tempfile.mkdtemp(prefix="policy-site-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    port = _free_port()
    try:
        subprocess.run(_as_owner([_bin("initdb"), "-D", str(data), "-U", "postgres",
                                  "--auth=trust", "-E", "UTF8", "--no-instructions"]),
                       check=True, capture_output=True)  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=on"
        subprocess.run(_as_owner([_bin("pg_ctl"), "-D", str(data), "-o", options, "-w", "-t",
                                  "60", "-l", str(folder / "log"), "start"]),
                       check=True, capture_output=True)  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if data.is_dir():
            subprocess.run(_as_owner([_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                                      "stop"]), check=False, capture_output=True)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
