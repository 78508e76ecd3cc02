"""``./scripts/serve``: its options, and one line that leads to the fix when the port is taken."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from policy_site import cli, serve
from tests.support import ROOT


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "index.html").write_text("<!doctype html><title>Site</title>", encoding="utf-8")
    (tmp_path / "_headers").write_text("/*\n  X-Frame-Options: DENY\n", encoding="utf-8")
    return tmp_path


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
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", str(site), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"Port {port} on 127.0.0.1 is in use" in err
    assert f"./scripts/serve --port {port + 1}" in err
    assert "Traceback" not in err


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
