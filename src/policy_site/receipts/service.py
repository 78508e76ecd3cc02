"""The receiver: ``POST /consent/receipts`` (a receipt as application/json, at most 2 KB) answers
204 once the receipt is durably stored, 400/413/415/429 with nothing stored, and 503 (never for bad
input) when the store cannot write. It keeps no state of its own beyond a per-subject rate limit,
so that several can run behind a load balancer on one PostgreSQL database.

One thread owns the store: it takes the receipts that arrived since its last commit, appends them
in one transaction (one fsync for many: group commit) and only then answers their requests. It
also deletes what is older than the retention period, at start and every hour, and, given a
checkpoints file, appends the chain's head to it every minute or so when it moved, and at stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import queue
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from aiohttp import web

from policy_site.consent.archive import ArchiveError, read_ledger
from policy_site.receipts.checkpoints import Keeper, writable
from policy_site.receipts.opening import open_store
from policy_site.receipts.store import Store, StoreError, stamp, utc_now
from policy_site.receipts.validate import (
    MAX_BYTES,
    Invalid,
    Releases,
    check_receipt,
    evidence,
    parse_receipt,
)

__all__ = ["ENDPOINT", "Limiter", "Writer", "make_app"]

ENDPOINT = "/consent/receipts"
#: The most receipts one transaction stores.
BATCH = 512
PRUNE_EVERY_S = 3600.0


class Writer:
    """The thread that owns the store (see the module's docstring)."""

    def __init__(self, db: str, retain_days: int, keeper: Keeper | None = None) -> None:
        self._db = db
        self._keeper = keeper
        self._retain = dt.timedelta(days=retain_days)
        self._queue: queue.Queue[tuple[Mapping[str, Any], Future[bool]] | None] = queue.Queue()
        self._opened: Future[None] = Future()
        self._thread = threading.Thread(target=self._run, name="receipts-writer", daemon=True)

    def start(self) -> None:
        """Opens the store (migrating it) in the writer thread; raises what opening raised."""
        self._thread.start()
        self._opened.result()

    def submit(self, receipt: Mapping[str, Any]) -> Future[bool]:
        done: Future[bool] = Future()
        self._queue.put((receipt, done))
        return done

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        try:
            store: Store | None = open_store(self._db)
        except BaseException as err:
            self._opened.set_exception(err)
            return
        self._opened.set_result(None)
        pruned: float | None = None
        try:
            while True:
                if store is None:  # the last write failed: a new connection for this batch
                    try:
                        store = open_store(self._db)
                    except Exception:
                        store = None
                if store is not None and (
                    pruned is None or time.monotonic() - pruned >= PRUNE_EVERY_S
                ):
                    pruned = time.monotonic()
                    with contextlib.suppress(Exception):  # tried again in an hour
                        store.prune(stamp(utc_now() - self._retain))
                if self._keeper is not None and self._keeper.due():
                    self._checkpoint(store)
                try:
                    item = self._queue.get(timeout=self._keeper.every if self._keeper else 60)
                except queue.Empty:
                    continue
                if item is None:
                    self._checkpoint(store)
                    return
                batch = [item]
                while len(batch) < BATCH:
                    try:
                        following = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if following is None:
                        self._queue.put(None)  # stop after this batch
                        break
                    batch.append(following)
                try:
                    if store is None:
                        raise StoreError("the store cannot be opened")
                    stored = store.append([receipt for receipt, _ in batch], stamp(utc_now()))
                except Exception as err:  # answered 503: the receipts are not stored
                    for _, done in batch:
                        done.set_exception(err)
                    if store is not None:
                        with contextlib.suppress(Exception):
                            store.close()
                    store = None
                    continue
                for (_, done), ok in zip(batch, stored, strict=True):
                    done.set_result(ok)
        finally:
            if store is not None:
                store.close()

    def _checkpoint(self, store: Store | None) -> None:
        """Keeps the head, if it moved; a failure is said, and tried again at the next one."""
        if self._keeper is None or store is None:
            return
        try:
            self._keeper.keep(store.head(), stamp(utc_now()))
        except Exception as err:
            print(f"receipts: {self._keeper.path}: no checkpoint kept ({err}); trying again in "
                  f"{self._keeper.every:g} s", file=sys.stderr, flush=True)  # fmt: skip


class Limiter:
    """At most ``per_minute`` receipts of one subject in any minute: a page that loops on the
    consent API cannot fill the store."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}

    def allow(self, subject: str) -> bool:
        now = self._clock()
        seen = self._seen.setdefault(subject, deque())
        while seen and seen[0] <= now - 60:
            seen.popleft()
        if len(seen) >= self._per_minute:
            return False
        seen.append(now)
        if len(self._seen) > 100_000:  # forget the quiet ones
            self._seen = {s: q for s, q in self._seen.items() if q and q[-1] > now - 60}
        return True


class _Ledger:
    """The site's releases, read again when the ledger file changes (a new release published)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._stamp: float | None = None
        self.releases = self._read()

    def _read(self) -> Releases:
        self._stamp = self._path.stat().st_mtime
        found = read_ledger(self._path)
        if not found:
            raise ArchiveError(
                f"{self._path}: no consent release recorded; run policy-site check --update-lock"
            )
        return Releases.of(found)

    def current(self) -> Releases:
        try:
            if self._path.stat().st_mtime != self._stamp:
                self.releases = self._read()
        except (OSError, ArchiveError):
            pass  # keep the releases known: a ledger being rewritten is not a reason to refuse
        return self.releases


def _refused(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def make_app(writer: Writer, ledger: Path, per_minute: int = 30) -> web.Application:
    releases = _Ledger(ledger)
    limiter = Limiter(per_minute)

    async def receive(request: web.Request) -> web.StreamResponse:
        if request.content_length is not None and request.content_length > MAX_BYTES:
            return _refused(413, f"a receipt is at most {MAX_BYTES} bytes")
        body = await request.content.read(MAX_BYTES + 1)
        try:
            sent = parse_receipt(body, request.headers.get("Content-Type"))
            receipt = evidence(sent, check_receipt(sent, releases.current(), utc_now()))
        except Invalid as problem:
            return _refused(problem.status, str(problem))
        if not limiter.allow(str(receipt["subject"])):
            return _refused(429, "too many receipts of one subject: wait a minute")
        try:
            stored = await asyncio.wait_for(asyncio.wrap_future(writer.submit(receipt)), 30)
        except Exception:
            return _refused(503, "the receipt could not be stored; the choice still applies")
        if not stored:
            return _refused(400, "id: a receipt with this id and another content is stored")
        return web.Response(status=204)

    app = web.Application(client_max_size=MAX_BYTES + 1)
    app.router.add_post(ENDPOINT, receive)
    return app


def serve(
    db: str, ledger: Path, host: str, port: int, retain_days: int, keeper: Keeper | None = None
) -> None:
    """Runs the receiver until interrupted; ``keeper`` keeps its heads."""
    if keeper is not None:
        writable(keeper.path)
    writer = Writer(db, retain_days, keeper)
    writer.start()
    try:
        app = make_app(writer, ledger)
        print(f"Receiving consent receipts at http://{host}:{port}{ENDPOINT}, stored in {db}")
        web.run_app(app, host=host, port=port, print=None)
    finally:
        writer.stop()
