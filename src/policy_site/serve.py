"""A small static file server for previews and tests: ``site/`` on loopback, nothing else, with
the headers the build wrote into ``site/_headers`` (so the preview and the browser tests run
under the production Content-Security-Policy), and served as a production host serves it:
HTTP/1.1 with keep-alive, text compressed with gzip when the browser accepts it."""

from __future__ import annotations

import argparse
import errno
import functools
import gzip
import http.client
import io
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from policy_site.arguments import add_config_file
from policy_site.commands import command
from policy_site.problems import PolicySiteError
from policy_site.receipts.launch import free_port, receipts_endpoint, receiving
from policy_site.security import HEADERS_FILE, parse_headers_file

__all__ = ["main", "make_server", "running", "serving"]

Rules = list[tuple[str, dict[str, str]]]

#: Where the receipts receiver listens.
_LOOPBACK = "127.0.0.1"
#: The signals that stop ``policy-site serve``.
_STOPPING = (signal.SIGINT, signal.SIGTERM)


#: Types worth compressing; images and fonts are compressed already.
_TEXT = ("text/", "application/javascript", "application/json", "application/xml", "image/svg")


class _Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    rules: Rules

    def __init__(
        self, *args: Any, rules: Rules, receipts: tuple[str, str] | None = None, **kwargs: Any
    ) -> None:
        self.rules = rules
        #: (endpoint, receiver's host:port): POSTs to the endpoint are passed on, as nginx does.
        self.receipts = receipts
        super().__init__(*args, **kwargs)

    def do_POST(self) -> None:
        if self.receipts is None or urlsplit(self.path).path != self.receipts[0]:
            self.send_error(405)
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > 4096:  # as the nginx location's client_max_body_size
            self.send_error(413)
            return
        body = self.rfile.read(length)
        host, _, port = self.receipts[1].rpartition(":")
        try:
            upstream = http.client.HTTPConnection(host, int(port), timeout=10)
            upstream.request("POST", self.receipts[0], body,
                             {"Content-Type": self.headers.get("Content-Type", "")})  # fmt: skip
            answer = upstream.getresponse()
            status, content = answer.status, answer.read()
            upstream.close()
        except OSError:
            self.send_error(502, "the receipts receiver is not running")
            return
        self.send_response(status)
        self.send_header("Content-Length", str(len(content)))
        if content:
            self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: previews and tests stay readable."""

    def send_head(self) -> Any:
        # Like Netlify and Cloudflare Pages: the header rules are read, not served.
        if urlsplit(self.path).path.rsplit("/", 1)[-1].startswith(HEADERS_FILE):
            self.send_error(404)
            return None
        path = Path(self.translate_path(self.path))
        if path.is_dir() and urlsplit(self.path).path.endswith("/"):
            path = path / "index.html"
        kind = self.guess_type(str(path))
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.is_file() and kind.startswith(_TEXT)):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

    def end_headers(self) -> None:
        path = urlsplit(self.path).path
        for pattern, headers in self.rules:
            if _matches(pattern, path):
                for name, value in headers.items():
                    self.send_header(name, value)
        super().end_headers()


def _matches(pattern: str, path: str) -> bool:
    """A ``_headers`` path pattern: exact, or a prefix ending in ``*``."""
    return path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern


def make_server(
    directory: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    receipts: tuple[str, str] | None = None,
) -> ThreadingHTTPServer:
    """A server for ``directory`` on ``host:port`` (port 0 picks a free one); call serve_forever.
    Responses carry the headers of ``directory/_headers`` when the build wrote one. With
    ``receipts`` (endpoint, receiver's host:port), POSTs to the endpoint go to the receiver."""
    headers_file = directory / HEADERS_FILE
    rules = parse_headers_file(headers_file.read_text("utf-8")) if headers_file.is_file() else []
    handler = functools.partial(_Handler, directory=str(directory), rules=rules, receipts=receipts)
    return _Server((host, port), handler)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection the browser dropped (a favicon on navigation) is not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def running(server: ThreadingHTTPServer) -> Iterator[int]:
    """``server`` answering from a background thread until the block ends; yields its port."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def serving(
    directory: Path, host_name: str = "127.0.0.1", receipts: tuple[str, str] | None = None
) -> Iterator[str]:
    """``directory`` served on loopback from a background thread, as ``http://<host_name>:PORT/``
    (a browser maps ``host_name`` to 127.0.0.1 with --host-resolver-rules)."""
    with running(make_server(directory, receipts=receipts)) as port:
        yield f"http://{host_name}:{port}/"


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: give 1 to 65535")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=command("serve"),
        description="Serve the built site on this machine, with the headers the build wrote into "
        "SITE_DIR/_headers (the production Content-Security-Policy among them).",
    )
    parser.add_argument(
        "directory", nargs="?", type=Path, metavar="SITE_DIR",
        help="the built site (default: site/ beside mkdocs.yml, where build writes it)",
    )  # fmt: skip
    add_config_file(parser)
    parser.add_argument("--port", type=_port, default=8000, help="the port (default: 8000)")
    parser.add_argument(
        "--host", default="127.0.0.1",
        help="the address to listen on (default: 127.0.0.1, this machine only)",
    )  # fmt: skip
    parser.add_argument(
        "--receipts-db", default="sqlite:///receipts.db",
        help="where the receipts receiver stores, when consent.yml turns receipts on "
        "(default: sqlite:///receipts.db)",
    )  # fmt: skip
    parser.add_argument(
        "--receipts-port", type=_port, help="the receipts receiver's port (default: --port + 1)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """``policy-site serve``. Raises PolicySiteError (ReceiverError among them) when the site
    cannot be served: policy_site.cli.main says it and exits 2. SIGINT (Ctrl-C) and SIGTERM stop
    the server and the receiver, and free both ports."""
    args = _parser().parse_args(argv)
    if args.directory is None and not args.config_file.is_file():
        raise PolicySiteError(
            f"{args.config_file.resolve()} not found, nor a built site beside it: run "
            f"{command('serve')} in the site's folder, or name its mkdocs.yml with -f "
            "(-f my-site/mkdocs.yml)."
        )
    args.directory = args.directory or args.config_file.parent / "site"
    if not (args.directory / "index.html").is_file():
        raise PolicySiteError(
            f"{args.directory}/index.html not found: run {command('build')} first."
        )
    endpoint = receipts_endpoint(args.directory)
    receiver = args.receipts_port or args.port + 1
    if endpoint and receiver > 65535:
        raise PolicySiteError(f"--port {args.port} leaves the receipts receiver no port "
                              "(--port + 1): give it one with --receipts-port.")  # fmt: skip
    _check_ports(args.host, args.port, receiver if endpoint else None)  # before anything starts
    upstream = (endpoint, f"{_LOOPBACK}:{receiver}") if endpoint else None
    try:
        server = make_server(args.directory, host=args.host, port=args.port, receipts=upstream)
    except OSError as err:  # taken since it was checked: the next run suggests another
        message = f"Cannot listen on {args.host}:{args.port}: {err.strerror}; run it again."
        raise PolicySiteError(message) from None
    # Ctrl-C or SIGTERM, even while the receiver starts: the blocks stop it, then the server.
    with (
        suppress(KeyboardInterrupt),
        _stopping_on_signals(),
        server,
        receiving(args.directory, args.receipts_db, receiver),
    ):
        host, port = server.server_address[:2]
        print(f"Serving {args.directory} at http://{host!s}:{port}/privacy/  (Ctrl-C stops)",
              flush=True)  # fmt: skip
        server.serve_forever()
    return 0


def _check_ports(host: str, port: int, receiver: int | None) -> None:
    """Raises a PolicySiteError when the site's port or the receiver's (None: no receiver) is
    taken, naming it and suggesting ports that are free now."""
    busy = [(port, host, "the site's, --port")] if _in_use(host, port) else []
    if receiver is not None and (receiver == port or _in_use(_LOOPBACK, receiver)):
        busy.append((receiver, _LOOPBACK, "the receipts receiver's, --receipts-port"))
    if not busy:
        return
    site = _first_free(host, port, taken=())
    named, fix = f"{port} on {host}", f"another with --port, e.g. {command('serve')} --port {site}"
    if receiver is not None:
        named = " and ".join(f"{each} on {on} ({whose})" for each, on, whose in busy)
        fix = (f"free ones, e.g. {command('serve')} --port {site} "
               f"--receipts-port {_first_free(_LOOPBACK, receiver, taken=(site,))}")  # fmt: skip
    plural = len(busy) > 1
    raise PolicySiteError(
        f"Port{'s' * plural} {named} {'are' if plural else 'is'} in use "
        f"(another {command('serve')}?): choose {fix}"
    )


def _first_free(host: str, start: int, taken: tuple[int, ...]) -> int:
    """The first port from ``start`` that nothing listens on, nor is in ``taken``."""
    for port in range(start, min(start + 100, 65536)):
        if port not in taken and not _in_use(host, port):
            return port
    return free_port()


def _in_use(host: str, port: int) -> bool:
    """Whether something listens on ``host:port``: bound as the servers bind (an address whose
    last connections are closing is free). Raises PolicySiteError when ``host`` cannot be had."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return True
            raise PolicySiteError(f"Cannot listen on {host}:{port}: {err.strerror}.") from None
    return False


@contextmanager
def _stopping_on_signals() -> Iterator[None]:
    """SIGTERM as Ctrl-C (SIGINT): KeyboardInterrupt, so that the blocks it leaves stop the
    server and the receiver. Another signal while they stop is ignored: they stop all the same.
    A signal ignored from the start stays ignored (a job started in the background)."""

    def stop(signum: int, frame: Any) -> None:
        for each in _STOPPING:
            signal.signal(each, signal.SIG_IGN)
        raise KeyboardInterrupt

    kept = [each for each in _STOPPING if signal.getsignal(each) != signal.SIG_IGN]
    before = {each: signal.signal(each, stop) for each in kept}
    try:
        yield
    finally:
        for each, handler in before.items():
            signal.signal(each, handler)


if __name__ == "__main__":  # as policy-site serve, through the command line's one catch
    from policy_site.cli import main as command_line

    raise SystemExit(command_line(["serve", *sys.argv[1:]]))
