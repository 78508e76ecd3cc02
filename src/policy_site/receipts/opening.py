"""Opening the receipts store named by ``--db``: an SQLite file (``sqlite:///FILE``) or a
PostgreSQL database (``postgresql://...``), each refused with the fix when it cannot be one."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from policy_site.commands import install_extra
from policy_site.receipts.store import Store, StoreError

__all__ = ["KINDS", "open_store"]

#: What --db takes, for the messages that refuse another.
KINDS = "sqlite:///FILE (e.g. sqlite:///receipts.db) or postgresql://USER@HOST/DATABASE"


def _sqlite_path(url: str) -> Path:
    """The file of an SQLite ``--db``: ``sqlite:///path`` (as SQLAlchemy writes it:
    sqlite:///receipts.db relative, sqlite:////srv/receipts.db absolute) or a plain path."""
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    if url.startswith("sqlite:"):
        raise StoreError(
            f"--db {url}: an SQLite database is written sqlite:/// (three slashes) and its file: "
            "sqlite:///receipts.db in this folder, sqlite:////srv/receipts.db for an absolute path"
        )
    if "://" in url or not url:
        kind = f"{url.partition('://')[0]}://" if url else "an empty value"
        raise StoreError(
            f"--db {url or repr(url)}: {kind} is not a database the receipts can be kept in: "
            f"give --db {KINDS}"
        )
    return Path(url)


def _sqlite(url: str, create: bool) -> Store:
    path = _sqlite_path(url)
    if path.is_dir():
        raise StoreError(
            f"--db {url}: {path} is a folder: give the database file, e.g. "
            f"sqlite:///{path / 'receipts.db'}"
        )
    if not path.parent.is_dir():
        raise StoreError(
            f"--db {url}: the folder {path.parent} does not exist: create it (mkdir -p "
            f"{path.parent}), or give a file in a folder that does"
        )
    if not create and not path.is_file():
        raise StoreError(
            f"--db {url}: {path} does not exist: give the database the receiver writes to "
            "(a relative path is from the current folder)"
        )
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    try:
        if _write_ahead(db) != "wal":
            raise StoreError(f"{path}: SQLite could not use its write-ahead log (WAL) here")
        db.execute("PRAGMA synchronous=FULL")
        # isolation_level=None: this module says where each transaction starts (BEGIN IMMEDIATE)
        # and ends; sqlite3's own implicit transactions would start one at the first write only.
        return Store(_AutoBegin(db), placeholder="?", lock="")
    except StoreError:
        db.close()
        raise
    except sqlite3.Error as err:
        db.close()
        if getattr(err, "sqlite_errorname", "") == "SQLITE_NOTADB":
            raise StoreError(
                f"--db {url}: {path} is not an SQLite database (SQLite says: {err}): give the "
                "file the receipts receiver writes to"
            ) from None
        raise StoreError(f"--db {url}: SQLite cannot use {path}: {err}") from None


def _write_ahead(db: sqlite3.Connection) -> str:
    """Turns the write-ahead log on: the journal mode it is in then. Connections that turn it on
    in a new file at the same moment can deadlock, and SQLite answers one of them "busy" at once,
    without the wait for a lock; asked again, it waits, and finds the log on."""
    for attempt in range(100):
        try:
            with closing(db.execute("PRAGMA journal_mode=WAL")) as mode:
                return str(mode.fetchone()[0])
        except sqlite3.OperationalError as err:
            busy = getattr(err, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or attempt == 99:
                raise
    raise AssertionError("unreachable")


class _AutoBegin:
    """sqlite3 in autocommit mode, with commit and rollback that end what BEGIN started."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> sqlite3.Cursor:
        return self._db.executemany(sql, rows)

    def commit(self) -> None:
        if self._db.in_transaction:
            self._db.execute("COMMIT")

    def rollback(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def close(self) -> None:
        self._db.close()


class _Postgres:
    """A psycopg connection, with the ``executemany`` that only its cursors have (it sends the
    rows in one pipeline, not one round trip each)."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._db.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._db.cursor() as cursor:
            cursor.executemany(sql, rows)

    def commit(self) -> None:
        self._db.commit()

    def rollback(self) -> None:
        self._db.rollback()

    def close(self) -> None:
        self._db.close()


def open_store(url: str, *, create: bool = True) -> Store:
    """``sqlite:///path`` or a path (SQLite), or ``postgresql://...`` (psycopg 3); a new SQLite
    file only when ``create`` (the receiver), else StoreError as for any URL it cannot open."""
    if url.startswith(("postgresql://", "postgres://")):
        try:
            import psycopg
        except ModuleNotFoundError:
            raise StoreError(
                "--db postgresql://... needs psycopg, which comes with policy-site's postgresql "
                f"extra: install it with {install_extra('postgresql')}"
            ) from None
        try:
            connection = psycopg.connect(url)
        except psycopg.Error as err:
            raise StoreError(f"{url}: {err}") from None
        return Store(_Postgres(connection), placeholder="%s", lock=" FOR UPDATE")
    return _sqlite(url, create)
