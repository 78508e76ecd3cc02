"""``policy-site receipts``: serve (the receiver), verify (the hash chain, against heads kept
elsewhere too), checkpoint (keep the head), export (one visitor's receipts, or a period's) and
stats (counts per day, no personal data)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from policy_site.arguments import add_config_file
from policy_site.commands import command, install_extra
from policy_site.consent.archive import LEDGER, ArchiveError, Release, read_ledger
from policy_site.receipts import checkpoints, dpv
from policy_site.receipts.checkpoints import Checkpoint, Keeper, parse_head, read_checkpoints
from policy_site.receipts.opening import open_store
from policy_site.receipts.releases import Releases
from policy_site.receipts.store import Store, StoreError, stamp, utc_now

__all__ = ["DEFAULT_DB", "main"]

DEFAULT_DB = "sqlite:///receipts.db"
DEFAULT_RETAIN_DAYS = 395
#: What pyproject.toml's receipts extra brings, for the receiver alone.
_RECEIPTS_EXTRA = ("aiohttp", "fastjsonschema")
_DB_HELP = f"where the receipts are: sqlite:///FILE or postgresql://... (default: {DEFAULT_DB})"
_COLUMNS = ("seq", "received", "id", "subject", "event", "outcome", "method", "categories",
            "policy", "revision", "bundle", "language", "path", "gpc", "hash")  # fmt: skip


def _releases_file(config_file: Path) -> Path:
    from policy_site.site import read_config

    config = read_config(config_file)
    if not config.options.published_bundles:
        raise ArchiveError(
            f"{config_file}: plugins.policy-site.published_bundles is not set, so no consent "
            "release is on record: set it, or give --releases"
        )
    return config.root / config.options.published_bundles / LEDGER


def _ledger(args: argparse.Namespace) -> tuple[Path, list[Release]]:
    """The ledger of releases that --releases names, else mkdocs.yml's: that file, read."""
    path = args.releases or _releases_file(args.config_file)
    name = (
        "--releases FILE: the releases.json of published_bundles, or of the built site's consent/"
    )
    if not path.is_file():
        raise ArchiveError(f"{path}: no such file. Name the site's ledger of consent releases "
                           f"with {name}")  # fmt: skip
    try:
        found = read_ledger(path)
    except ArchiveError as err:
        raise ArchiveError(f"{err} Or name the ledger with {name}") from None
    if not found:
        raise ArchiveError(f"{path}: no consent release recorded; run policy-site check "
                           "--update-lock, or name the site's ledger with --releases")  # fmt: skip
    return path, found


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds above 0, e.g. 60")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=command("receipts"),
        description=__doc__,
        epilog="-f and --db go after the command (receipts stats --db URL) or before it.",
    )
    add_config_file(parser)
    parser.add_argument("--db", default=DEFAULT_DB, metavar="URL", help=_DB_HELP)
    # Each command takes -f and --db after its name too; given there, they win (options.py).
    shared = argparse.ArgumentParser(add_help=False)
    add_config_file(shared, suppress=True)
    shared.add_argument("--db", default=argparse.SUPPRESS, metavar="URL", help=_DB_HELP)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    server = commands.add_parser("serve", help="receive receipts over HTTP", parents=[shared])
    server.add_argument("--host", default="127.0.0.1", help="the address (default: 127.0.0.1)")
    server.add_argument("--port", type=int, default=8001, help="the port (default: 8001)")
    server.add_argument("--releases", type=Path, help="the ledger (default: from mkdocs.yml)")
    server.add_argument(
        "--retain-days", type=int, default=DEFAULT_RETAIN_DAYS,
        help=f"delete receipts older than this many days ({DEFAULT_RETAIN_DAYS})",
    )  # fmt: skip
    server.add_argument(
        "--checkpoints", type=Path, metavar="FILE",
        help="append the chain's head (time, rows, head) to FILE when it moved, to keep "
             "elsewhere: verify --heads FILE checks against it",
    )  # fmt: skip
    server.add_argument(
        "--checkpoint-every", type=_seconds, default=checkpoints.EVERY_S, metavar="N",
        help=f"seconds between checkpoints (default: {checkpoints.EVERY_S:g}; one at stop too)",
    )  # fmt: skip
    verifier = commands.add_parser(
        "verify", help="check that no receipt was changed or removed", parents=[shared]
    )
    verifier.add_argument("--head", type=parse_head, action="append", default=[],
                          metavar="ROWS:HASH", help="a head verify printed earlier: row ROWS "
                          "must still have this hash (repeatable)")  # fmt: skip
    verifier.add_argument("--heads", type=Path, action="append", default=[], metavar="FILE",
                          help="a file of checkpoints (serve --checkpoints, checkpoint --out): "
                          "each must still hold (repeatable)")  # fmt: skip
    keeper = commands.add_parser(
        "checkpoint", help="append the chain's head to a file, once it verifies", parents=[shared]
    )
    keeper.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the checkpoints file to append to (created if need be)")  # fmt: skip
    exporter = commands.add_parser(
        "export", help="one visitor's receipts, or a period's", parents=[shared]
    )
    exporter.add_argument("--subject", help="the id in the visitor's consent cookie")
    exporter.add_argument("--from", dest="start", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    exporter.add_argument("--to", dest="end", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                          help="the last day included")  # fmt: skip
    exporter.add_argument("--format", choices=("json", "jsonl", "csv", "dpv"), default=None,
                          help="dpv: consent records of ISO/IEC TS 27560 in W3C DPV, as "
                          "JSON-LD")  # fmt: skip
    exporter.add_argument("--releases", type=Path, help="the ledger (default: from mkdocs.yml)")
    commands.add_parser("stats", help="receipts per day: given, refused, partial", parents=[shared])
    return parser


def _export(store: Store, args: argparse.Namespace) -> int:
    if args.subject is None and args.start is None and args.end is None:
        print("export: give --subject ID, or --from and/or --to", file=sys.stderr)
        return 2
    start = args.start.isoformat() if args.start else None
    end = (args.end + dt.timedelta(days=1)).isoformat() if args.end else None
    kind = args.format or ("json" if args.subject else "jsonl")
    if kind == "dpv":  # the site and its ledger first: a mistake shows before the rows are read
        site = dpv.controller(args.config_file)
        ledger, releases = _ledger(args)
        selected = store.rows(subject=args.subject, start=start, end=end)
        document = dpv.document(selected, releases, site, ledger)
        print(json.dumps(document, indent=2, ensure_ascii=False))
        return 0
    rows = list(store.rows(subject=args.subject, start=start, end=end))
    if kind == "csv":
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(_COLUMNS)
        for row in rows:
            r = row.receipt
            out.writerow([row.seq, row.received, row.id, row.subject, row.event, row.outcome,
                          r["method"], json.dumps(r["categories"], sort_keys=True), r["policy"],
                          r["revision"], r["bundle"], r["language"], r["path"], r["gpc"],
                          row.hash])  # fmt: skip
        return 0
    records = [
        {"seq": row.seq, "received": row.received, "hash": row.hash, "receipt": row.receipt}
        for row in rows
    ]
    if kind == "json":  # each with the release it was checked against, every hash of it
        ledger, releases = _ledger(args)
        known = Releases.of(releases)
        for row, record in zip(rows, records, strict=True):
            record["release"] = asdict(known.release_of(row.receipt, ledger))
    if kind == "jsonl":
        for record in records:
            print(json.dumps(record, sort_keys=True, ensure_ascii=False))
        return 0
    verified = store.verify()
    document = {
        "subject": args.subject,
        "receipts": records,
        "chain": {"head_seq": verified.head_seq, "head_hash": verified.head_hash,
                  "holds": not verified.problems},
    }  # fmt: skip
    print(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))
    return 0


def _verify(store: Store, args: argparse.Namespace) -> int:
    kept: list[Checkpoint] = [*args.head]
    for path in args.heads:
        kept += read_checkpoints(path)
    verified = store.verify()
    problems, notes = checkpoints.compare(
        kept, store.hashes({each.rows for each in kept}), verified.head_seq, verified.anchor_seq
    )
    for problem in [*verified.problems, *problems]:
        print(f"BROKEN {problem}")
    for note in notes:
        print(f"NOTE {note}")
    state = "broken" if verified.problems else "holds"
    print(f"receipts: the chain {state}: {verified.rows} receipts kept, rows "
          f"{verified.anchor_seq + 1} to {verified.head_seq}, head "
          f"{verified.head_seq}:{verified.head_hash}")  # fmt: skip
    if not kept:
        print("receipts: no kept head given: whoever can write the database can change a receipt "
              "and compute the chain again; give --heads FILE (serve --checkpoints FILE) to "
              "find it")  # fmt: skip
    elif not problems:
        print(f"receipts: {len(kept) - len(notes)} kept head(s) match the store")
    return 1 if verified.problems or problems else 0


def _checkpoint(store: Store, out: Path) -> int:
    verified = store.verify()
    if verified.problems:
        for problem in verified.problems:
            print(f"BROKEN {problem}")
        print(f"receipts: the chain is broken: no checkpoint written to {out}")
        return 1
    checkpoints.writable(out)
    kept = Checkpoint(stamp(utc_now()), verified.head_seq, verified.head_hash)
    checkpoints.append(out, kept)
    print(f"receipts: kept {kept.line()} in {out}")
    return 0


def _stats(store: Store) -> int:
    days: dict[str, dict[str, int]] = {}
    for day, kind, count in store.stats():
        days.setdefault(day, {"given": 0, "partial": 0, "refused": 0})[kind] = count
    print("day         given  partial  refused   total   given %")
    for day, counts in days.items():
        total = sum(counts.values())
        share = f"{counts['given'] / total:.0%}"
        print(f"{day}  {counts['given']:>6}  {counts['partial']:>7}  {counts['refused']:>7}"
              f"  {total:>6}  {share:>8}")  # fmt: skip
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            try:
                from policy_site.receipts.service import serve
            except ModuleNotFoundError as err:
                if err.name not in _RECEIPTS_EXTRA:
                    raise
                print(f"receipts serve: the receiver needs {err.name}, which comes with "
                      f"policy-site's receipts extra: install it with "
                      f"{install_extra('receipts')}", file=sys.stderr)  # fmt: skip
                return 2

            ledger, _ = _ledger(args)  # read now: a mistake shows before the receiver starts
            keeper = Keeper(args.checkpoints, args.checkpoint_every) if args.checkpoints else None
            serve(args.db, ledger, args.host, args.port, args.retain_days, keeper)
            return 0
        store = open_store(args.db, create=False)  # a mistyped file is not a new, empty one
        try:
            if args.command == "verify":
                return _verify(store, args)
            if args.command == "checkpoint":
                return _checkpoint(store, args.out)
            if args.command == "export":
                return _export(store, args)
            return _stats(store)
        finally:
            store.close()
    except BrokenPipeError:
        raise  # the reader of the output has gone: the command line ends quietly (cli.main)
    except OSError as err:
        raise StoreError(str(err)) from None


if __name__ == "__main__":
    raise SystemExit(main())
