"""Where receipts are kept: append-only, each row chained to the one before by a SHA-256, on
SQLite (a file: WAL, ``synchronous=FULL``) or PostgreSQL (psycopg 3), with one schema and one
migration path for both.

The chain: row ``n`` holds ``hash = SHA-256(prev_hash, n, received, body)`` and the previous row's
hash; the ``chain`` row holds the last row's number and hash (the head) and, once retention has
deleted the oldest rows, the number and hash of the last row it deleted (the anchor). ``verify``
walks from the anchor to the head: a changed body, a removed or reordered row, or a cut end shows.
Whoever can rewrite the whole database can rewrite the chain too: keep the head that ``verify``
prints somewhere else (a ticket, a log) to pin it.

One row per choice: a receipt is keyed by its id and by the SHA-256 of the consent record it
carries (``choice``: subject, time and what was chosen, unique in the database), so the same
choice sent again under a new receipt id is stored once, by whichever receiver got it first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from policy_site.problems import PolicySiteError

__all__ = [
    "GENESIS",
    "Row",
    "Store",
    "StoreError",
    "Verified",
    "outcome",
    "row_hash",
]

#: The hash before the first row.
GENESIS = "0" * 64

#: The schema, as the steps that made it: a database at step n runs the steps after n, in order.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE receipts (
            seq BIGINT PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            received TEXT NOT NULL,
            subject TEXT NOT NULL,
            event TEXT NOT NULL,
            outcome TEXT NOT NULL,
            body TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""",
        "CREATE INDEX receipts_subject ON receipts (subject)",
        "CREATE INDEX receipts_received ON receipts (received)",
        """CREATE TABLE chain (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            head_seq BIGINT NOT NULL,
            head_hash TEXT NOT NULL,
            anchor_seq BIGINT NOT NULL,
            anchor_hash TEXT NOT NULL
        )""",
        f"INSERT INTO chain VALUES (1, 0, '{GENESIS}', 0, '{GENESIS}')",
    ),
    # A choice re-sent under a new receipt id is stored once (``choice``: what it is keyed by).
    # Rows stored before have none (NULL: never equal), as they may hold such twins already.
    (
        "ALTER TABLE receipts ADD COLUMN choice TEXT",
        "CREATE UNIQUE INDEX receipts_choice ON receipts (choice)",
    ),
)
#: The consent record a receipt carries, as stored (the cookie's record: r in receipt.schema.json).
_RECORD = ("subject", "time", "revision", "categories", "services", "gpc")
_INSERT = """INSERT INTO receipts
    (seq, id, received, subject, event, outcome, body, prev_hash, hash, choice)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""

#: The PostgreSQL advisory lock (one per database) that making or migrating the schema holds.
SCHEMA_LOCK = 0x7265636569707473  # "receipts" in ASCII: a key no other program is likely to take


class StoreError(PolicySiteError):
    """The store cannot be opened or written (the message says so, starting ``receipts:``)."""

    def __init__(self, message: str) -> None:
        super().__init__(f"receipts: {message}")


@dataclass(frozen=True)
class Row:
    seq: int
    id: str
    received: str
    subject: str
    event: str
    outcome: str
    body: str
    prev_hash: str
    hash: str
    #: The key of its choice (``choice()``); None in a row stored before schema migration 2.
    choice: str | None = None

    @property
    def receipt(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.body)
        return value


@dataclass(frozen=True)
class Verified:
    rows: int
    head_seq: int
    head_hash: str
    anchor_seq: int
    #: What breaks the chain, first problem first; empty when it holds.
    problems: list[str]


def row_hash(prev_hash: str, seq: int, received: str, body: str) -> str:
    text = f"{prev_hash}\n{seq}\n{received}\n{body}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def outcome(categories: Mapping[str, bool]) -> str:
    """given (every category allowed), refused (none) or partial: what ``stats`` counts."""
    allowed = sum(categories.values())
    return "given" if allowed == len(categories) else "refused" if allowed == 0 else "partial"


def canonical(receipt: Mapping[str, Any]) -> str:
    return json.dumps(receipt, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def choice(receipt: Mapping[str, Any]) -> str:
    """SHA-256 of the consent record a receipt carries (the same subject, time and choice): a
    browser that sends one choice again under a new receipt id sends the same record."""
    record = canonical({key: receipt.get(key) for key in _RECORD})
    return hashlib.sha256(record.encode("utf-8")).hexdigest()


def _not_of_body(row: Row) -> list[str]:
    """The columns of ``row`` that its receipt (the body, which the chain holds) does not give:
    export finds a subject's rows by ``subject``, and ``choice`` keys a choice sent again."""
    receipt = row.receipt
    derived = {"id": (row.id, receipt["id"]), "subject": (row.subject, receipt["subject"]),
               "event": (row.event, receipt["event"]),
               "outcome": (row.outcome, outcome(receipt["categories"])),
               "choice": (row.choice, row.choice and choice(receipt))}  # fmt: skip
    return [column for column, (held, given) in derived.items() if held != given]


class _Connection(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def close(self) -> None: ...


class Store:
    """One connection to the database; ``append`` and ``prune`` each run as one transaction that
    holds the chain's row, so that several receivers can write to one PostgreSQL database."""

    def __init__(self, connection: _Connection, *, placeholder: str, lock: str) -> None:
        self._db = connection
        self._placeholder = placeholder
        #: How a transaction takes the chain row for itself.
        self._lock = lock
        self._migrate()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self._placeholder)

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._db.execute(self._sql(sql), params).fetchall())

    def _run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._db.execute(self._sql(sql), params)

    def _migrate(self) -> None:
        """Makes or migrates the schema in one transaction that holds a lock from its first
        statement, so that receivers started at once on one database, new or old, wait for each
        other: SQLite's write lock (BEGIN IMMEDIATE), PostgreSQL's advisory lock SCHEMA_LOCK
        (CREATE TABLE IF NOT EXISTS alone is not safe there: two at once break a unique index)."""
        self._begin()
        try:
            if self._placeholder != "?":
                self._run("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))  # until COMMIT
            self._run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            found = self._query("SELECT version FROM schema_version")
            version = int(found[0][0]) if found else 0
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"the database is at schema version {version}, newer than this policy-site "
                    f"({len(MIGRATIONS)}): upgrade policy-site"
                )
            for step in MIGRATIONS[version:]:
                for statement in step:
                    self._run(statement)
            if not found:
                self._run("INSERT INTO schema_version VALUES (?)", (len(MIGRATIONS),))
            elif version < len(MIGRATIONS):
                self._run("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))
            self._db.commit()
        except BaseException:
            self._db.rollback()
            raise

    def _head(self) -> tuple[int, str, int, str]:
        (head,) = self._query(
            "SELECT head_seq, head_hash, anchor_seq, anchor_hash FROM chain WHERE id = 1"
            + self._lock
        )
        return int(head[0]), str(head[1]), int(head[2]), str(head[3])

    def append(self, receipts: Sequence[Mapping[str, Any]], received: str) -> list[bool]:
        """Stores each receipt that is new, in one transaction, durably once this returns; for
        each, True (stored, or stored before: the same body under its id, or the same choice
        under another id) or False (its id is taken by another body: refused)."""
        self._begin()
        try:
            seq, prev, _, _ = self._head()
            taken = self._taken("id", [str(receipt["id"]) for receipt in receipts])
            chosen = self._taken("choice", [choice(receipt) for receipt in receipts])
            out: list[bool] = []
            rows: list[tuple[Any, ...]] = []
            for receipt in receipts:
                body, key = canonical(receipt), choice(receipt)
                if receipt["id"] in taken:
                    out.append(taken[receipt["id"]] == body)
                    continue
                out.append(True)
                if key in chosen:  # the choice re-sent under a new id: the browser may stop
                    continue
                seq += 1
                digest = row_hash(prev, seq, received, body)
                rows.append((seq, receipt["id"], received, receipt["subject"], receipt["event"],
                             outcome(receipt["categories"]), body, prev, digest, key))  # fmt: skip
                # The same receipt, or choice, twice in one batch: stored once.
                taken[receipt["id"]] = chosen[key] = body
                prev = digest
            if rows:
                self._db.executemany(self._sql(_INSERT), rows)
            self._run("UPDATE chain SET head_seq = ?, head_hash = ? WHERE id = 1", (seq, prev))
            self._db.commit()
        except BaseException:
            self._db.rollback()
            raise
        return out

    def _taken(self, column: str, keys: list[str]) -> dict[str, str]:
        """The body stored under each of ``keys`` (of ``column``: id or choice) that is taken,
        asked in a few queries, not one a receipt: on PostgreSQL each query is a round trip."""
        found: dict[str, str] = {}
        for start in range(0, len(keys), 500):  # well under any database's limit of parameters
            part = keys[start : start + 500]
            marks = ", ".join("?" * len(part))
            sql = f"SELECT {column}, body FROM receipts WHERE {column} IN ({marks})"
            found.update((str(key), str(body)) for key, body in self._query(sql, part))
        return found

    def _begin(self) -> None:
        if self._placeholder == "?":
            self._run("BEGIN IMMEDIATE")  # SQLite: the write lock now, not at the first write

    def prune(self, before: str) -> int:
        """Deletes the rows received before ``before`` (ISO time); the last one deleted becomes
        the chain's anchor. Returns how many rows went."""
        self._begin()
        try:
            self._head()
            last = self._query(
                "SELECT seq, hash FROM receipts WHERE received < ? ORDER BY seq DESC LIMIT 1",
                (before,),
            )
            if not last:
                self._db.rollback()
                return 0
            seq, digest = int(last[0][0]), str(last[0][1])
            (count,) = self._query("SELECT COUNT(*) FROM receipts WHERE seq <= ?", (seq,))
            self._run("DELETE FROM receipts WHERE seq <= ?", (seq,))
            self._run(
                "UPDATE chain SET anchor_seq = ?, anchor_hash = ? WHERE id = 1", (seq, digest)
            )
            self._db.commit()
        except BaseException:
            self._db.rollback()
            raise
        return int(count[0])

    def rows(
        self, *, subject: str | None = None, start: str | None = None, end: str | None = None
    ) -> Iterator[Row]:
        """Rows in chain order: of one subject, or received in [start, end)."""
        where, params = [], []
        if subject is not None:
            where.append("subject = ?")
            params.append(subject)
        if start is not None:
            where.append("received >= ?")
            params.append(start)
        if end is not None:
            where.append("received < ?")
            params.append(end)
        sql = "SELECT seq, id, received, subject, event, outcome, body, prev_hash, hash, choice"
        sql += " FROM receipts"
        sql += (" WHERE " + " AND ".join(where)) if where else ""
        for seq, id_, received, subject, event, result, body, prev, digest, key in self._query(
            sql + " ORDER BY seq", params
        ):
            yield Row(int(seq), str(id_), str(received), str(subject), str(event), str(result),
                      str(body), str(prev), str(digest), key)  # fmt: skip
        self._db.commit()

    def verify(self) -> Verified:
        head_seq, head_hash, anchor_seq, anchor_hash = self._head()
        self._db.commit()
        problems: list[str] = []
        seq, prev, count = anchor_seq, anchor_hash, 0
        for row in self.rows():
            count += 1
            if row.seq != seq + 1:
                problems.append(f"row {seq + 1}: missing (the next row is {row.seq})")
            elif row.prev_hash != prev:
                problems.append(f"row {row.seq}: does not follow row {seq}")
            elif row_hash(row.prev_hash, row.seq, row.received, row.body) != row.hash:
                problems.append(f"row {row.seq}: changed since it was stored")
            elif columns := _not_of_body(row):
                problems.append(f"row {row.seq}: its {', '.join(columns)} changed since it was "
                                "stored (the receipt it holds says otherwise)")  # fmt: skip
            seq, prev = row.seq, row.hash
        if (seq, prev) != (head_seq, head_hash):
            problems.append(
                f"the chain ends at row {seq}, its head says row {head_seq}: rows were removed "
                "from its end, or the head was changed"
            )
        return Verified(count, head_seq, head_hash, anchor_seq, problems)

    def head(self) -> tuple[int, str]:
        """The chain's head: its last row's number and hash (0 and GENESIS before the first)."""
        seq, digest, _, _ = self._head()
        self._db.commit()
        return seq, digest

    def hashes(self, seqs: Collection[int]) -> dict[int, str]:
        """The hash of each of ``seqs`` that the store still knows: a row's, or the anchor's (the
        last row retention deleted; row 0, GENESIS, before any was)."""
        _, _, anchor_seq, anchor_hash = self._head()
        found = {anchor_seq: anchor_hash} if anchor_seq in seqs else {}
        wanted = sorted(set(seqs))
        for start in range(0, len(wanted), 500):  # as _taken: a few queries, not one a row
            part = wanted[start : start + 500]
            sql = f"SELECT seq, hash FROM receipts WHERE seq IN ({', '.join('?' * len(part))})"
            found.update((int(seq), str(digest)) for seq, digest in self._query(sql, part))
        self._db.commit()
        return found

    def stats(self) -> list[tuple[str, str, int]]:
        """(day, outcome, count) of every receipt kept, by the receiver's day (UTC)."""
        found = self._query(
            "SELECT substr(received, 1, 10), outcome, COUNT(*) FROM receipts "
            "GROUP BY substr(received, 1, 10), outcome ORDER BY 1, 2"
        )
        self._db.commit()
        return [(str(day), str(kind), int(count)) for day, kind, count in found]

    def close(self) -> None:
        self._db.close()


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """The receiver's time as stored: UTC, microseconds, so that text order is time order."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
