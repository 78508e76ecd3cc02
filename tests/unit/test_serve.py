"""``./scripts/serve``: its options, one line that leads to free ports when one of its two (the
site's, the receipts receiver's) is taken, and a stop that stops the receiver too."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from policy_site import cli, serve
from policy_site.receipts.launch import free_port
from tests.service.conftest import LEDGER
from tests.support import ROOT


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!doctype html><title>Site</title>", encoding="utf-8")
    (tmp_path / "_headers").write_text("/*\n  X-Frame-Options: DENY\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def receipts_site(site: Path) -> Path:
    """A built site that sends receipts: serve starts a receiver for it."""
    (site / "consent").mkdir()
    (site / "consent" / "consent.json").write_text('{"receipts": "/consent/receipts"}', "utf-8")
    shutil.copy(LEDGER, site / "consent" / "releases.json")
    return site


def listening(port: int) -> socket.socket:
    """A socket listening on 127.0.0.1:``port`` as a server would; OSError when it is taken."""
    taken = socket.socket()
    taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        taken.bind(("127.0.0.1", port))
        taken.listen()
    except OSError:
        taken.close()
        raise
    return taken


def test_help_names_port_host_and_the_site_folder() -> None:
    result = subprocess.run(
        [str(ROOT / "scripts" / "serve"), "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    for option in ("--port PORT", "--host HOST", "SITE_DIR"):
        assert option in result.stdout


def test_a_busy_port_is_one_line_suggesting_another(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with listening(free_port()) as taken:
        port = taken.getsockname()[1]
        assert cli.main(["serve", str(site), "--port", str(port)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert f"Port {port} on 127.0.0.1 is in use" in err
        assert "Traceback" not in err
        (suggested,) = re.findall(r"\./scripts/serve --port (\d+)$", err.strip())
        listening(int(suggested)).close()  # free


@pytest.mark.parametrize("port", ["0", "65536", "http", "-1"])
def test_a_port_that_is_none_is_refused_by_name(
    site: Path, port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        serve.main([str(site), f"--port={port}"])
    assert exited.value.code == 2
    assert f"{port!r} is not a port: give 1 to 65535" in capsys.readouterr().err


def test_it_serves_on_the_host_and_port_given_with_the_headers(site: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "policy_site.serve", str(site), "--port", str(port)]
    command += ["--host", "127.0.0.1"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # printed once it listens
        assert f"http://127.0.0.1:{port}/privacy/" in line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.headers["X-Frame-Options"] == "DENY"
    finally:
        server.terminate()
        server.wait(timeout=10)


def serve_command(site: Path, port: int, receiver: int, *options: str) -> list[str]:
    """``policy-site serve`` for ``site`` on ``port``, its receiver on ``receiver``."""
    return [sys.executable, "-m", "policy_site.cli", "serve", str(site), "--port", str(port),
            "--receipts-port", str(receiver), *options]  # fmt: skip


@pytest.mark.parametrize("busy", [["site"], ["receiver"], ["site", "receiver"]])
def test_a_busy_port_of_the_two_is_named_and_a_free_pair_suggested(
    receipts_site: Path, busy: list[str]
) -> None:
    with ExitStack() as held:
        ports = {"site": free_port(), "receiver": free_port()}
        for which in busy:
            held.enter_context(listening(ports[which]))
        command = serve_command(receipts_site, ports["site"], ports["receiver"])
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1, result.stderr
        assert "Receiving" not in result.stdout  # checked before the receiver started
        named = {"site": f"{ports['site']} on 127.0.0.1 (the site's, --port)",
                 "receiver": f"{ports['receiver']} on 127.0.0.1 (the receipts receiver's, "
                             "--receipts-port)"}  # fmt: skip
        assert " and ".join(named[which] for which in busy) in result.stderr
        assert ("are in use" if len(busy) > 1 else "is in use") in result.stderr
        (pair,) = re.findall(r"serve --port (\d+) --receipts-port (\d+)$",
                             result.stderr.strip())  # fmt: skip
        assert pair[0] != pair[1]
        for port in pair:
            listening(int(port)).close()  # free, while the busy ones are still held


def test_the_last_port_leaves_the_receiver_none_and_says_to_give_it_one(
    receipts_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["serve", str(receipts_site), "--port", "65535"]) == 2
    err = capsys.readouterr().err
    assert "--port 65535 leaves the receipts receiver no port (--port + 1)" in err
    assert "give it one with --receipts-port" in err


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@dataclass
class Serving:
    process: subprocess.Popen[bytes]
    port: int
    receiver: int
    #: What it wrote to stderr (a file: a receiver left running would hold a pipe open).
    errors: Path


@pytest.fixture
def serving_receipts(receipts_site: Path, tmp_path: Path) -> Iterator[Serving]:
    """``policy-site serve`` on a site with receipts, once it serves (its receiver runs)."""
    port, receiver = free_port(), free_port()
    db = f"sqlite:///{tmp_path / 'receipts.db'}"
    said, errors = tmp_path / "stdout", tmp_path / "stderr"
    with said.open("w") as out, errors.open("w") as err:
        command = serve_command(receipts_site, port, receiver, "--receipts-db", db)
        server = subprocess.Popen(command, stdout=out, stderr=err)
    started: list[int] = []
    try:
        deadline = time.monotonic() + 30
        while "Serving" not in said.read_text("utf-8"):  # printed once both listen
            assert server.poll() is None, errors.read_text("utf-8")
            assert time.monotonic() < deadline, said.read_text("utf-8")
            time.sleep(0.05)
        started = children(server.pid)
        yield Serving(server, port, receiver, errors)
    finally:
        if server.poll() is None:
            server.kill()
        server.wait()
        for pid in started:  # a receiver that a failed test left running
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_stops_the_receiver_and_frees_both_ports(
    serving_receipts: Serving, stop: signal.Signals
) -> None:
    server = serving_receipts.process
    (receiver,) = children(server.pid)
    server.send_signal(stop)
    assert server.wait(timeout=30) == 0, serving_receipts.errors.read_text("utf-8")
    assert "Traceback" not in serving_receipts.errors.read_text("utf-8")
    assert not Path(f"/proc/{receiver}").exists()  # stopped, and waited for
    for port in (serving_receipts.port, serving_receipts.receiver):
        listening(port).close()
