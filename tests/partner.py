"""The fake ad partner: a real HTTP server on loopback, under its own host name, that records every
request it receives (and when) and whose scripts set cookies on the site's parent domain, keep
sending beacons and fill IndexedDB and Cache Storage, as real tags do."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["PARTNER_DOMAIN", "PARTNER_HOST", "Hit", "Partner", "running_partner"]

PARTNER_HOST = "ads.partner.test"
#: Every name under it reaches the partner too (tests/conftest.py maps them to loopback).
PARTNER_DOMAIN = "partner.test"
_GIF = bytes.fromhex(
    "47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b"
)

_RESPONSES: dict[str, tuple[str, bytes]] = {
    "/ga.js": (
        "text/javascript",
        b"""
document.cookie = "_ga=GA1.1.1; domain=.toontrack.test; path=/; max-age=34128000";
document.cookie = "_ga_TT1=GS1.1; domain=.toontrack.test; path=/; max-age=34128000";
document.cookie = "_gid=GA1.1.2; path=/; max-age=86400";
localStorage.setItem("_ga_storage", "1");
window.order = (window.order || []).concat("ga");
""",
    ),
    "/tag.js": (
        "text/javascript",
        b"""
document.cookie = "_fbp=fb.1.1; domain=.toontrack.test; path=/; max-age=7776000";
document.cookie = "_undeclared_tracker=1; path=/; max-age=7776000";
document.cookie = "_fbc=fb.1.2; domain=.toontrack.test; path=/partner/; max-age=7776000";
sessionStorage.setItem("_fbq_session", "1");
window.order = (window.order || []).concat("tag");
""",
    ),
    "/pixel.gif": ("image/gif", _GIF),
    # A tag that keeps reporting: an image beacon every 100 ms for as long as the page runs it.
    "/beacon.js": (
        "text/javascript",
        b"""
(function () {
  var url = document.currentScript.src.replace("beacon.js", "beacon.gif?n="), n = 0;
  setInterval(function () { new Image().src = url + n++; }, 100);
})();
""",
    ),
    "/beacon.gif": ("image/gif", _GIF),
    # A tag that stores in IndexedDB (keeping its connection open, as tags do) and Cache Storage:
    # one database and one cache that consent.yml may declare, and one of each it does not.
    "/store.js": (
        "text/javascript",
        b"""
(function () {
  var db = indexedDB.open("partner_db", 1);
  db.onupgradeneeded = function () { db.result.createObjectStore("ids").put("id-1", "visitor"); };
  db.onsuccess = function () { window.partnerDb = db.result; };
  indexedDB.open("tracker_db", 1).onsuccess = function (e) { e.target.result.close(); };
  if (!window.caches) return;  // Cache Storage needs a secure context
  caches.open("partner-cache").then(function (cache) {
    return cache.put("/partner-ad", new Response("ad"));
  });
  caches.open("tracker-cache");
})();
""",
    ),
    "/video": ("text/html", b"<!doctype html><title>Partner video</title><p>Video</p>"),
}


@dataclass(frozen=True)
class Hit:
    path: str
    gpc: str | None
    referer: str | None
    #: The host name it was sent to (the Host header, without the port): the partner answers
    #: under any name of PARTNER_DOMAIN, one per service in a test.
    host: str = PARTNER_HOST
    #: When it arrived (``time.monotonic()``).
    at: float = field(default_factory=time.monotonic)


@dataclass
class Partner:
    origin: str
    hits: list[Hit] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [hit.path for hit in self.hits]

    def clear(self) -> None:
        self.hits.clear()

    def since(self, path: str, moment: float) -> list[Hit]:
        """The requests for ``path`` that arrived after ``moment`` (``time.monotonic()``)."""
        return [hit for hit in list(self.hits) if hit.path == path and hit.at > moment]


@contextmanager
def running_partner() -> Iterator[Partner]:
    partner = Partner("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            host = (self.headers.get("Host") or "").rpartition(":")[0]
            gpc, referer = self.headers.get("Sec-GPC"), self.headers.get("Referer")
            partner.hits.append(Hit(path, gpc, referer, host=host))
            content_type, body = _RESPONSES.get(path, ("text/plain", b"not found"))
            self.send_response(200 if path in _RESPONSES else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the hits are the record."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    partner.origin = f"http://{PARTNER_HOST}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield partner
    finally:
        server.shutdown()
        server.server_close()
