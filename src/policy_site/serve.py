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
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from policy_site.arguments import add_config_file
from policy_site.commands import command
from policy_site.problems import PolicySiteError
from policy_site.receipts.launch import receiving
from policy_site.security import HEADERS_FILE, parse_headers_file

__all__ = ["main", "make_server", "running", "serving"]

Rules = list[tuple[str, dict[str, str]]]


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
    cannot be served: policy_site.cli.main says it and exits 2."""
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
    with receiving(
        args.directory, args.receipts_db, args.receipts_port or args.port + 1
    ) as receipts:
        return _serve(args, receipts)


def _serve(args: argparse.Namespace, receipts: tuple[str, str] | None) -> int:
    try:
        server = make_server(args.directory, host=args.host, port=args.port, receipts=receipts)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise PolicySiteError(
                f"Port {args.port} on {args.host} is in use (another {command('serve')}?): "
                f"choose another with --port, e.g. {command('serve')} --port {args.port + 1}"
            ) from None
        raise PolicySiteError(
            f"Cannot listen on {args.host}:{args.port}: {err.strerror}."
        ) from None
    host, port = server.server_address[:2]
    url = f"http://{host!s}:{port}/privacy/"
    print(f"Serving {args.directory} at {url}  (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":  # as policy-site serve, through the command line's one catch
    from policy_site.cli import main as command_line

    raise SystemExit(command_line(["serve", *sys.argv[1:]]))
