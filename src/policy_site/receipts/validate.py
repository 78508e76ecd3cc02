"""A receipt of a consent choice, as the consent script sends it, checked strictly before it is
stored: its shape (``receipt.schema.json``, JSON Schema 2020-12), its size, and that it names a
release of the consent bundle this site published (consent/releases.py) and that release's own
categories, policy version and hashes. A receipt that fails any check is refused whole.

The record follows ISO/IEC TS 27560's consent record: its own random ``id``, the ``subject`` (the
random id already in the visitor's consent cookie, nothing else that identifies the person), the
``time``, the ``event`` (given, refused, changed, withdrawn), the ``method`` it was given by, each
optional category's state, the consent revision and the bundle file that asked, the page's
language and path (no query), and whether the browser sent Global Privacy Control. The receiver
adds what the release it names says, so that a browser cannot forge it: the policy version, the
SHA-256 of its Markdown and the release's id (``evidence``). No IP address, no user agent: the
receiver stores neither.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator

from policy_site.consent.releases import Release

__all__ = [
    "MAX_BYTES",
    "MAX_SKEW",
    "Invalid",
    "Releases",
    "check_receipt",
    "evidence",
    "expand",
    "parse_receipt",
]

#: The largest body accepted: a receipt of twenty categories is under 1 KB.
MAX_BYTES = 2048
#: How far a receipt's own time may be from the receiver's: a visitor's clock may be wrong by a
#: time zone, not by days.
MAX_SKEW = dt.timedelta(hours=26)
#: The short keys and codes of what the browser sends (receipt.schema.json), and the names the
#: stored record gives them.
_NAMES = {"v": "v", "i": "id", "s": "subject", "t": "time", "e": "event", "m": "method",
          "c": "categories", "r": "revision", "b": "bundle", "l": "language", "p": "path",
          "g": "gpc"}  # fmt: skip
_EVENTS = {"g": "given", "r": "refused", "c": "changed", "w": "withdrawn"}
_METHODS = {"b": "banner", "d": "dialog", "p": "placeholder", "a": "api"}
_BUNDLE = re.compile(r"consent\.(?:[a-z]{2,3}(?:-[A-Za-z0-9]+)*\.)?[0-9a-f]{12}\.js")


class Invalid(ValueError):
    """The receipt is refused: ``status`` is the HTTP status that says why (400, 413, 415)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@functools.cache
def _validator() -> Draft202012Validator:
    schema = json.loads(files(__package__).joinpath("receipt.schema.json").read_text("utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@dataclass(frozen=True)
class Releases:
    """The releases this site published, by the bundle file each names."""

    by_file: Mapping[str, Release]

    @classmethod
    def of(cls, releases: Sequence[Release]) -> Releases:
        by_file: dict[str, Release] = {}
        for release in releases:
            for path in release.files:
                by_file.setdefault(path.rpartition("/")[2], release)
        return cls(by_file)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key is given twice")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_receipt(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The receipt an HTTP body holds, by its shape alone. Raises Invalid."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json":
        raise Invalid(415, "a receipt is sent as application/json")
    if len(body) > MAX_BYTES:
        raise Invalid(413, f"a receipt is at most {MAX_BYTES} bytes")
    try:
        value = json.loads(
            body.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant
        )
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise Invalid(400, f"not a JSON object in UTF-8: {err}") from None
    error = next(iter(_validator().iter_errors(value)), None)
    if error is not None:
        path = [str(part) for part in error.absolute_path]
        where = "/".join([_NAMES.get(path[0], path[0]), *path[1:]]) if path else "(the receipt)"
        raise Invalid(400, f"{where}: {error.message}"[:300])
    return expand(value)


def expand(sent: Mapping[str, Any]) -> dict[str, Any]:
    """A receipt as sent (short keys and codes) with the names the stored record gives them."""
    record = {_NAMES[key]: value for key, value in sent.items()}
    record["event"] = _EVENTS[record["event"]]
    record["method"] = _METHODS[record["method"]]
    return record


def evidence(receipt: Mapping[str, Any], release: Release) -> dict[str, Any]:
    """The receipt as stored: what the browser sent, and what its release says."""
    return {
        **receipt,
        "policy": release.policy_version,
        "policy_sha256": release.policy_sha256,
        "release": release.id,
    }


def check_receipt(receipt: Mapping[str, Any], releases: Releases, now: dt.datetime) -> Release:
    """The release a well-formed receipt names, once it agrees with that release and with the
    clock; raises Invalid (400) otherwise."""
    bundle = str(receipt["bundle"])
    release = releases.by_file.get(bundle) if _BUNDLE.fullmatch(bundle) else None
    if release is None:
        raise Invalid(400, f"bundle: {bundle[:80]!r} is no consent bundle this site published")
    if receipt["revision"] != release.revision:
        raise Invalid(400, f"revision: {bundle} asks under {release.revision}")
    if sorted(receipt["categories"]) != sorted(release.categories):
        raise Invalid(400, f"categories: {bundle} asks about {', '.join(release.categories)}")
    try:
        given = dt.datetime.fromisoformat(str(receipt["time"]).replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(400, "time: not a date and time") from None
    if given.tzinfo is None or abs(given - now) > MAX_SKEW:
        raise Invalid(400, "time: not within a day of the receiver's clock, in UTC")
    return release
