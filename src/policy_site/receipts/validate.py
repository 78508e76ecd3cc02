"""A receipt of a consent choice, as the consent script sends it, checked strictly before it is
stored: its shape (``receipt.schema.json``, JSON Schema draft-07, which fastjsonschema compiles
to Python code: a twentieth of the time jsonschema took per receipt), its size, and that it names
a release of the consent bundle this site published (consent/archive.py), in effect on the
receipt's day, and that release's own categories, policy version and hashes. A receipt that
fails any check is refused whole.

The browser sends little (every page carries the code that writes it): the receipt's own random
id, the record its consent cookie now holds, the choice that record replaces, how it was made,
the script's file name and the page's path. The stored record follows ISO/IEC TS 27560's consent
record: its own ``id``, the ``subject`` (the random id already in the visitor's consent cookie,
nothing else that identifies the person), the ``time``, the ``event`` (given, refused, changed,
withdrawn: derived from the two choices), the ``method`` it was given by, each optional
category's state and the ``previous`` ones (and each service's, where a category is chosen per
service), the consent revision and the bundle file that asked,
the ``language`` of that file's texts, the page's path (no query), and whether the browser sent
Global Privacy Control. The receiver adds what the release it names says, so that a browser
cannot forge it: the policy version, the SHA-256 of its Markdown and the release's id
(``evidence``). No IP address, no user agent: the receiver stores neither.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Mapping
from importlib.resources import files
from typing import Any

import fastjsonschema

from policy_site.consent.archive import Release
from policy_site.receipts.releases import Releases

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
_METHODS = {"b": "banner", "d": "dialog", "p": "placeholder", "a": "api", "g": "gpc"}
#: The key of each field in a refusal's message: the stored record's name for it.
_NAMES = {"i": "id", "r": "record", "o": "previous", "m": "method", "b": "bundle", "p": "path",
          "q": "previous_services", "r/id": "subject", "r/ts": "time", "r/pv": "revision",
          "r/c": "categories", "r/s": "services", "r/gpc": "gpc"}  # fmt: skip


class Invalid(ValueError):
    """The receipt is refused: ``status`` is the HTTP status that says why (400, 413, 415)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@functools.cache
def _validator() -> Callable[[Any], Any]:
    schema = json.loads(files(__package__).joinpath("receipt.schema.json").read_text("utf-8"))
    return fastjsonschema.compile(schema)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a key is given twice")
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_fraction(text: str) -> Any:
    # JSON Schema counts 1.0 as an integer; a receipt's numbers are written by the script as
    # whole numbers, and a time of 1.0 ms is refused here rather than half-read later.
    raise Invalid(400, f"a receipt has whole numbers only, not {text[:40]}")


def parse_receipt(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The receipt an HTTP body holds, by its shape alone. Raises Invalid."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/json":
        raise Invalid(415, "a receipt is sent as application/json")
    if len(body) > MAX_BYTES:
        raise Invalid(413, f"a receipt is at most {MAX_BYTES} bytes")
    try:
        value = json.loads(
            body.decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constant,
            parse_float=_no_fraction,
        )
    except Invalid:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise Invalid(400, f"not a JSON object in UTF-8: {err}") from None
    try:
        _validator()(value)
    except fastjsonschema.JsonSchemaValueException as error:
        path = [str(part) for part in error.path[1:]]  # the first is "data", the whole
        if "/".join(path[:2]) in _NAMES:  # a field of the record: its own name
            path = ["/".join(path[:2]), *path[2:]]
        where = "/".join([_NAMES.get(path[0], path[0]), *path[1:]]) if path else "(the receipt)"
        said = error.message.removeprefix(str(error.name)).strip()
        raise Invalid(400, f"{where}: {said}"[:300]) from None
    return expand(value)


def _time(ms: int) -> str:
    moment = dt.datetime.fromtimestamp(ms // 1000, dt.UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def _event(categories: Mapping[str, bool], previous: Mapping[str, bool] | None) -> str:
    if previous is None:
        return "given" if any(categories.values()) else "refused"
    return "withdrawn" if any(previous.values()) and not any(categories.values()) else "changed"


def expand(sent: Mapping[str, Any]) -> dict[str, Any]:
    """A receipt as sent (receipt.schema.json) as the record is stored: full names, the event
    derived from the two choices, the time in ISO 8601 and the language of the bundle's texts."""
    record = sent["r"]
    return {
        "v": sent["v"],
        "id": sent["i"],
        "subject": record["id"],
        "time": _time(record["ts"]),
        "event": _event(record["c"], sent["o"]),
        "method": _METHODS[sent["m"]],
        "categories": record["c"],
        "previous": sent["o"],
        # Each service chosen on its own, and the ones replaced; None where none is.
        "services": record.get("s"),
        "previous_services": sent.get("q"),
        "revision": record["pv"],
        "bundle": sent["b"],
        "language": sent["b"].split(".")[1],
        "path": sent["p"],
        "gpc": record["gpc"],
    }


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
    clock, and that release's policy version is in effect on the receipt's day; raises Invalid
    (400) otherwise."""
    bundle = str(receipt["bundle"])
    release = releases.by_file.get(bundle)
    if release is None:
        raise Invalid(400, f"bundle: {bundle[:80]!r} is no consent bundle this site published")
    if receipt["revision"] != release.revision:
        raise Invalid(400, f"revision: {bundle} asks under {release.revision}")
    asked = {"categories": release.categories, "previous": release.categories,
             "services": release.services, "previous_services": release.services}  # fmt: skip
    for key, ids in asked.items():
        chosen = receipt[key]
        # None: a first choice (previous), or one made before services were asked about; and a
        # refusal carries no services' choices (record.js), any other choice all of them.
        if chosen is None and (key != "services" or not any(receipt["categories"].values())):
            continue
        if sorted(chosen or []) != sorted(ids):
            raise Invalid(400, f"{key}: {bundle} asks about {', '.join(ids) or 'none'}")
    given = dt.datetime.fromisoformat(str(receipt["time"]).replace("Z", "+00:00"))
    if abs(given - now) > MAX_SKEW:
        raise Invalid(400, "time: not within a day of the receiver's clock")
    # A release of an upcoming version is published ahead (a page may pin it, a preview renders
    # it), but no page of the site carries it before that version's first day: a choice made
    # under it would claim a policy that did not apply yet. The same skew is allowed as above,
    # which also covers a site whose day starts before UTC's.
    effective = dt.datetime.fromisoformat(release.policy_version).replace(tzinfo=dt.UTC)
    if given + MAX_SKEW < effective:
        raise Invalid(
            400,
            f"bundle: {bundle} is of release {release.id}, whose policy version takes effect on "
            f"{release.policy_version}; no page shows it on {given:%Y-%m-%d}",
        )
    return release
