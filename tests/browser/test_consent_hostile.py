"""Hostile consent cookies in real Chromium: more than 10,000 of them, none opens a gate.

Every value is made in Python from a fixed seed (the same draws on every run; timestamps are
offsets from the page's clock, ``Date.now()``, never Python's) and is invalid by construction,
under the rules the README gives for the record: each is a valid record (built as ``_record`` in
consent/runtime/main.js builds one) with one rule broken (a field of the wrong type, missing or
extra, ``v`` not 1, a bad ``id``, ``ts`` in the future or too old, a stale ``pv`` (on a record
granting a category: a refusal holds under any revision for a while), a category
missing or not a boolean, over 1,024 characters, JSON cut short or with something after it,
broken percent-encoding, a lone surrogate, ``__proto__`` keys, huge numbers, NaN), a JSON value
that is not an object, or a random string with no ``}`` in it however it is decoded (so it
cannot be a JSON object). Some cases set two ``tt_consent`` cookies with different values on
``Domain=.toontrack.test`` and host-only, or on two paths. Before the run, a model of the rules in
Python (``valid_record``) confirms that each value breaks one. The control, after the run: a valid
record made the same way (every category granted), set and read the same way, must become the
choice and reach the partner, else the test could not fail.

All the values run through the runtime in one ``page.evaluate``: set the cookie, dispatch
``visibilitychange`` (every 25th case a BroadcastChannel message instead), which makes ``_sync``
re-read it, then ask ``PrivacyConsent.get()`` and look at the banner. No value may make ``get()``
non-null or hide the banner (the run stops at the first that does), no error may be thrown, the
gated markup stays inert, and the fake ad partner receives nothing.

The browser has its say in what is stored: ``document.cookie`` drops a cookie whose value holds a
control character, cuts one at ``;``, trims white space at either end, and refuses one too big. So
the page reads every cookie back: only a case whose every value was stored exactly as written
counts towards the 10,000, and the model checks again, on what was actually stored, that nothing
valid reached the runtime. Run with ``-s`` to see the counts.
"""

from __future__ import annotations

import json
import math
import random
import re
import string
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests.partner import Partner
from tests.support import bundle_config

SEED = 20261129
#: Cases whose every cookie the browser must store exactly as written.
REQUIRED_STORED = 10_000
DAY = 86_400_000
#: The run must end within this many milliseconds of page time after the values were made: the
#: values' ``ts`` keep at least this far outside the window the runtime accepts.
SLACK = 3_600_000
#: Every this many cases, ``_sync`` is reached through a BroadcastChannel message instead.
BROADCAST_EVERY = 25
GATED = {"/ga.js", "/tag.js", "/pixel.gif", "/video"}

#: Where a case puts a cookie: host-only on "/", on the parent domain, or host-only on the page's
#: own path (the page is /partner/, so all three are sent to it).
WHERE = ("host", "domain", "deep")

Cookies = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Case:
    family: str
    cookies: Cookies

    @property
    def values(self) -> list[str]:
        return [value for value, _ in self.cookies]


@dataclass(frozen=True)
class Runtime:
    """What the built bundle's CONFIG says about the record."""

    name: str
    revision: str
    max_age_days: int
    #: How long a refusal holds under another revision (cookie.refusal_holds_days).
    refusal_days: int
    optional: tuple[str, ...]

    @classmethod
    def from_bundle(cls, site: Path) -> Runtime:
        config = bundle_config(site)
        return cls(
            name=config["cookie"]["name"],
            revision=config["revision"],
            max_age_days=config["cookie"]["maxAge"],
            refusal_days=config["cookie"]["refusalDays"],
            optional=tuple(c["id"] for c in config["categories"] if not c["necessary"]),
        )


# --- The rules, modelled in Python -------------------------------------------------------------


def decode_uri_component(value: str) -> str:
    """JavaScript's decodeURIComponent; ValueError where it throws URIError."""
    if re.search("%(?![0-9A-Fa-f]{2})", value):
        raise ValueError("malformed escape")
    # Each run of escapes as UTF-8, strictly: no lone continuation byte, no sequence cut short,
    # no overlong form, no surrogate (UnicodeDecodeError is a ValueError).
    return re.sub(
        "(?:%[0-9A-Fa-f]{2})+",
        lambda run: bytes.fromhex(run.group().replace("%", "")).decode("utf-8"),
        value,
    )


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # Python reads NaN and Infinity; JSON.parse does not


def _no_twice(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused (ValueError) when it names a key twice: what _save writes never
    does, and the runtime, which compares the text, refuses it."""
    if len({key for key, _ in pairs}) < len(pairs):
        raise ValueError("a key twice")
    return dict(pairs)


def _as_number(value: int | float) -> float:
    try:
        return float(value)
    except OverflowError:  # JSON.parse reads an integer too big for a double as Infinity
        return math.inf if value > 0 else -math.inf


def valid_record(values: Sequence[str], runtime: Runtime, earliest: int, latest: int) -> bool:
    """Whether ``values`` (every tt_consent cookie the page sees) make a valid record, by the
    README's rules, at some moment between page times ``earliest`` and ``latest``. The model errs
    towards valid, so that a value it calls invalid is invalid."""
    if not values or len(set(values)) > 1:
        return False  # none, or duplicated with another value
    raw = values[0]
    if len(raw.encode("utf-16-le")) // 2 > 1024:  # JavaScript counts UTF-16 code units
        return False
    try:
        record = json.loads(
            decode_uri_component(raw), parse_constant=_no_constants, object_pairs_hook=_no_twice
        )
    except (ValueError, RecursionError):
        return False
    fields = {"v", "id", "ts", "pv", "c", "gpc"}
    if not isinstance(record, dict) or set(record) != fields:
        return False
    version, ts, choices = record["v"], record["ts"], record["c"]
    if isinstance(version, bool) or not isinstance(version, int | float) or version != 1:
        return False
    if not isinstance(record["id"], str) or not re.fullmatch(r"[0-9a-f]{16}", record["id"]):
        return False
    if not isinstance(record["gpc"], bool) or isinstance(ts, bool):
        return False
    if not isinstance(ts, int | float):
        return False
    oldest = earliest - runtime.max_age_days * DAY - 1
    if not oldest <= _as_number(ts) <= latest + DAY + 1:
        return False
    if not isinstance(choices, dict) or set(choices) != set(runtime.optional):
        return False
    if not all(isinstance(choice, bool) for choice in choices.values()):
        return False
    # A refusal holds under another revision (its pv a string) for refusal_days.
    held = not any(choices.values()) and _as_number(ts) >= earliest - runtime.refusal_days * DAY - 1
    return isinstance(record["pv"], str) and (held or record["pv"] == runtime.revision)


# --- Hostile values ----------------------------------------------------------------------------


def encode(text: str) -> str:
    """JavaScript's encodeURIComponent; a lone surrogate becomes its (invalid) UTF-8 bytes."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="-_.!~*'()")


def dumps(value: Any, ascii_only: bool = True) -> str:
    """JSON.stringify's compact form (NaN and Infinity come out as the invalid tokens)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=ascii_only)


#: Line and paragraph separators, BOM, zero-width and bidi marks, controls, astral characters,
#: and two lone surrogates.
UNICODE = (
    "\u2028\u2029\ufeff\u200b\u200e\u202e\u00a0\u0000\u0001\u001f\u007f\u0085"
    "é€😀\U0001d54f\U0010ffff中\ud800\udfff"
)
TRICKY_STRINGS = [
    "", " ", "null", "true", "1", "NaN", "Infinity", "-Infinity", "1e999", "undefined", "__proto__",
    "constructor", "prototype", "toString", "<script>", "</script>", "\u2028", "\u2029", "\ud800",
    "\udc00", "\ud83d", "\x00", "%", "%00", "%ED%A0%80", "\\", '"', "'", "{}", "[]", "a" * 300,
]  # fmt: skip
NUMBERS: list[int | float] = [
    0, -1, 2, 1.5, 0.1, -0.0, 1e308, -1e308, 5e-324, 2**53, 2**53 + 1, 10**400, -(10**400),
    math.nan, math.inf, -math.inf,
]  # fmt: skip

#: What decodeURIComponent refuses: a "%" without two hex digits; a continuation byte alone, a
#: sequence cut short, an overlong form, a surrogate, a code point past U+10FFFF, bytes UTF-8
#: never uses.
MALFORMED = [
    "%", "%%", "%G1", "%1", "%1G", "%zz", "%80", "%BF", "%C3", "%E2%82", "%C3%28", "%C0%80",
    "%E0%80%AF", "%ED%A0%80", "%ED%BF%BF", "%F4%90%80%80", "%F8%88%80%80%80", "%FE", "%FF",
]  # fmt: skip


class Hostile:
    """Hostile cookie values, all from one seeded generator, each invalid by construction."""

    def __init__(self, seed: int, runtime: Runtime, now: int) -> None:
        self.rng = random.Random(seed)
        self.runtime = runtime
        self.now = now

    # Valid records, as _record builds them (with a ts the runtime accepts for the whole run).

    def record(self) -> dict[str, Any]:
        rng = self.rng
        return {
            "v": 1,
            "id": "".join(rng.choices("0123456789abcdef", k=16)),
            "ts": self.now - rng.randint(0, 180 * DAY),
            "pv": self.runtime.revision,
            "c": {category: rng.random() < 0.5 for category in self.runtime.optional},
            "gpc": rng.random() < 0.5,
        }

    def valid_value(self) -> str:
        return encode(dumps(self.record()))

    # Building blocks.

    def text(self, size: int = 12) -> str:
        rng = self.rng
        alphabet = rng.choice([string.printable, string.hexdigits, UNICODE, '{}[]":,\\ 01tfnul'])
        return "".join(rng.choices(alphabet, k=rng.randint(0, size)))

    def json_value(self, depth: int = 2) -> Any:
        """Any JSON value (NaN and Infinity included, which JSON.stringify would not write)."""
        rng = self.rng
        kind = rng.randrange(9 if depth > 0 else 7)
        if kind == 0:
            return None
        if kind == 1:
            return rng.random() < 0.5
        if kind == 2:
            return rng.choice(NUMBERS)
        if kind == 3:
            return rng.randint(-(10**15), 10**15)
        if kind == 4:
            return rng.choice(TRICKY_STRINGS)
        if kind in (5, 6):
            return self.text()
        if kind == 7:
            return [self.json_value(depth - 1) for _ in range(rng.randint(0, 3))]
        keys = [rng.choice(TRICKY_STRINGS) if rng.random() < 0.3 else self.text(6)]
        return {key: self.json_value(depth - 1) for key in keys * rng.randint(0, 2)}

    def other(self, excluded: Callable[[Any], bool]) -> Any:
        while True:
            value = self.json_value()
            if not excluded(value):
                return value

    # One field broken.

    def bad_v(self) -> Any:
        def is_one(value: Any) -> bool:
            return not isinstance(value, bool) and isinstance(value, int | float) and value == 1

        if self.rng.random() < 0.5:
            return self.other(is_one)
        return self.rng.choice([0, 2, -1, "1", True, [1], {"v": 1}, 1.5, 10**400, math.nan])

    def bad_id(self, good: str) -> Any:
        rng = self.rng
        options = [
            good.upper(), good[:15], good + "0", good + "\n", "\n" + good, good + "\u2028",
            good[:15] + "g", "0x" + good[:14], good.replace(good[0], "\uff10"), " " + good,
            "<script>" + good[:8], int(good[:12], 16), None, [good], {"id": good}, good * 2,
        ]  # fmt: skip
        value = rng.choice(options) if rng.random() < 0.6 else self.json_value()
        if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{16}", value):
            return good.upper() + "X"
        return value

    def bad_ts(self) -> Any:
        rng = self.rng
        future = self.now + DAY + SLACK + rng.randint(1, 10**13)
        too_old = self.now - self.runtime.max_age_days * DAY - SLACK - rng.randint(1, 10**12)
        options = [
            future, too_old, float(future), str(self.now), "NaN", "Infinity", "1e999", None, True,
            [self.now], {"ts": self.now}, 1e308, -1e308, 10**400, -(10**400), math.nan, math.inf,
            -math.inf, 0, -1, self.now / 1000, self.now * 1000,
        ]  # fmt: skip
        return rng.choice(options)

    def bad_pv(self) -> Any:
        rng = self.rng
        revision = self.runtime.revision
        options = [
            "2020-01-01", "1970-01-01", revision + " ", " " + revision, revision + "\u2028",
            revision + "\x00", revision.replace("-", "/"), revision[:-1], revision + "T00:00:00Z",
            revision.replace("0", "\uff10"), "", None, 20210101, [revision], {"pv": revision},
        ]  # fmt: skip
        value = rng.choice(options) if rng.random() < 0.6 else self.json_value()
        return "2020-01-01" if value == revision else value

    def bad_c(self, good: dict[str, bool]) -> Any:
        rng = self.rng
        ids = self.runtime.optional
        choice = rng.randrange(7)
        if choice == 0:  # not an object
            return rng.choice([None, True, 1, [True] * len(ids), ",".join(sorted(ids)), "", []])
        bad: dict[str, Any] = dict(good)
        if choice == 1:  # a category missing
            del bad[rng.choice(ids)]
        elif choice == 2:  # an unknown one
            extra = rng.choice(["necessary", "__proto__", "constructor", "toString", "Analytics"])
            bad[extra if rng.random() < 0.7 else self.text(8) + "x"] = rng.random() < 0.5
        elif choice == 3:  # the categories' names as one key (the sorted ids, joined)
            bad = {",".join(sorted(ids)): rng.random() < 0.5}
        elif choice == 4:
            bad = {"__proto__": dict(good)}
        elif rng.random() < 0.3:  # not a boolean
            bad[rng.choice(ids)] = self.other(lambda value: isinstance(value, bool))
        else:
            bad[rng.choice(ids)] = rng.choice([1, 0, "true", "false", None, [], {}, "", 1.0])
        return bad

    def bad_gpc(self) -> Any:
        return self.other(lambda value: isinstance(value, bool))

    def granting(self, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` granting a category: a refusal would hold under any pv."""
        if not any(record["c"].values()):
            record["c"][self.runtime.optional[0]] = True
        return record

    def broken_record(self, breaks: int = 1) -> dict[str, Any]:
        rng = self.rng
        record = self.record()
        fields = rng.sample(["v", "id", "ts", "pv", "c", "gpc"], breaks)
        if fields == ["pv"]:
            self.granting(record)
        for field in fields:
            if field == "v":
                record["v"] = self.bad_v()
            elif field == "id":
                record["id"] = self.bad_id(record["id"])
            elif field == "ts":
                record["ts"] = self.bad_ts()
            elif field == "pv":
                record["pv"] = self.bad_pv()
            elif field == "c":
                record["c"] = self.bad_c(record["c"])
            else:
                record["gpc"] = self.bad_gpc()
        return record

    def keys_changed(self) -> dict[str, Any]:
        rng = self.rng
        record = self.record()
        field = rng.choice(list(record))
        action = rng.randrange(3)
        if action == 0:  # missing
            del record[field]
        elif action == 1:  # extra
            key = rng.choice(["__proto__", "constructor", "x", "c,gpc", "", " v", "V"])
            record[key if rng.random() < 0.7 else self.text(6) + "!"] = self.json_value()
        else:  # renamed
            value = record.pop(field)
            record[rng.choice([field.upper(), field + " ", "__proto__", field + "\u0000"])] = value
        return record

    def record_value(self, record: dict[str, Any]) -> str:
        return encode(dumps(record, ascii_only=self.rng.random() < 0.5))

    # The JSON text broken.

    def json_text_broken(self) -> str:
        rng = self.rng
        record = self.record()
        text = dumps(record)
        action = rng.randrange(8)
        if action in (3, 4):  # which may fall in pv: where a refusal holds under any pv
            text = dumps(self.granting(record))
        if action == 0:  # cut short
            return text[: rng.randrange(len(text))]
        if action == 1:  # something after it (JSON white space alone would still parse)
            return text + rng.choice('x},]1"/\u2028\x00') + self.text(6)
        if action == 2:  # something before it
            return rng.choice('x{["1-/,\ufeff\u2028') + text
        if action == 3:  # one character added: not JSON white space, nor an exponent's "e"
            char = rng.choice(string.printable.strip().replace("e", "").replace("E", "") + UNICODE)
            at = rng.randrange(len(text) + 1)
            return text[:at] + char + text[at:]
        if action == 4:  # one character taken out
            at = rng.randrange(len(text))
            return text[:at] + text[at + 1 :]
        if action == 5:  # a field again at the end, with a bad value (JSON.parse keeps the last)
            field, bad = rng.choice(
                [("v", 2), ("ts", "now"), ("pv", "2020-01-01"), ("c", {}), ("gpc", 0), ("id", 1)]
            )
            return text[:-1] + f',"{field}":{dumps(bad)}' + "}"
        if action == 6:  # JavaScript, not JSON
            return rng.choice(
                [
                    re.sub(r'"(\w+)":', r"\1:", text),
                    text.replace('"', "'"),
                    text[:-1] + ",}",
                    "/**/" + text,
                    text.replace("true", "True").replace("false", "False")
                    if ("true" in text or "false" in text)
                    else text + "x",
                    text.replace('"v":1', '"v":01'),
                    text.replace('"v":1', '"v":+1'),
                    text.replace('"v":1', '"v":1.'),
                ]
            )
        return rng.choice(["[" + text + "]", dumps(text), '{"record":' + text + "}"])

    # The percent-encoding broken, or the length.

    def encoding_broken(self) -> str:
        rng = self.rng
        value = self.valid_value()  # ASCII: every escape in it stands for an ASCII character
        action = rng.randrange(5)
        if action == 0:  # a malformed escape or invalid UTF-8 somewhere
            garbage, at = rng.choice(MALFORMED), rng.randrange(len(value) + 1)
            if garbage == "%":  # "%" before "65" in ts would read as its exponent's "e"
                at = rng.choice([len(value), value.index("%")])
            return value[:at] + garbage + value[at:]
        if action == 1:  # encoded twice
            return encode(value)
        if action == 2:  # cut short
            return value[: rng.randrange(len(value))]
        if action == 3:  # a lone surrogate (escaped in the JSON, or as its UTF-8 bytes)
            record = self.record()
            field = rng.choice(["id", "pv"])
            if field == "pv":
                self.granting(record)
            record[field] = record[field][:8] + rng.choice(["\ud800", "\udfff", "\ud83d"])
            return encode(dumps(record, ascii_only=rng.random() < 0.5))
        # Valid JSON, padded with encoded white space past 1,024 characters: only the length rule
        # stands between it and the gate.
        text = dumps(self.record())
        target = rng.randint(1025, 3500)  # the browser keeps 4,096 bytes
        pad = "".join(rng.choices(["%20", "%09", "%0A", "%0D"], k=target // 3 + 1))
        at = rng.choice([1, len(text) - 1, len(text)])
        padded = encode(text[:at]) + pad + encode(text[at:])
        return padded if len(padded) > 1024 else padded + "%20" * 400

    def not_an_object(self) -> str:
        rng = self.rng
        value: Any = rng.choice(
            [None, True, False, 0, 1, -1, 1e308, "", "tt", [], [1, 2], [[[]]], self.record()]
        )
        if isinstance(value, dict):
            value = [value] if rng.random() < 0.5 else dumps(value)
        elif rng.random() < 0.5:
            value = self.other(lambda v: isinstance(v, dict))
        return encode(dumps(value, ascii_only=rng.random() < 0.5))

    def random_string(self) -> str:
        """Random text that cannot decode to a JSON object: no "}", raw or escaped."""
        rng = self.rng
        while True:
            alphabet = rng.choice(
                [
                    string.printable,
                    string.ascii_letters + string.digits + "%",
                    "{[\"':,0123456789tfnule%-.",
                    UNICODE.replace("\ud800", "").replace("\udfff", "") + "ab%;=, ",
                    "%0123456789ABCDEFabcdef",
                ]
            )
            size = rng.choice([rng.randint(0, 40), rng.randint(0, 400), rng.randint(1000, 1200)])
            value = "".join(rng.choices(alphabet, k=size))
            if "}" not in value and "%7d" not in value.lower():
                return value

    # Two cookies with different values.

    def duplicated(self) -> Cookies:
        """Two tt_consent cookies the page sees at once, with different values, neither at the
        runtime's own place (the cookie domain, path /; a copy there is the one it wrote, and the
        stray tests cover it): either both valid records, or one valid and one not. Only
        percent-encoded values, which the browser stores as written."""
        rng = self.rng
        first, second = rng.sample(("host", "deep"), 2)
        valid = self.valid_value()
        other = rng.choice(
            [
                self.valid_value(),
                self.record_value(self.broken_record()),
                encode(self.json_text_broken()),
                self.valid_value()[:-3],
            ]
        )
        if other == valid:
            other = self.valid_value()
        pair = [(valid, first), (other, second)]
        rng.shuffle(pair)
        return (pair[0], pair[1])

    def one_field_broken(self) -> str:
        return self.record_value(self.broken_record())

    def several_fields_broken(self) -> str:
        return self.record_value(self.broken_record(self.rng.randint(2, 6)))

    def keys_broken(self) -> str:
        return self.record_value(self.keys_changed())

    def json_broken(self) -> str:
        return encode(self.json_text_broken())

    def cases(self) -> list[Case]:
        rng = self.rng
        makers: list[tuple[str, int, Callable[[], str]]] = [
            ("one field broken", 3600, self.one_field_broken),
            ("several fields broken", 800, self.several_fields_broken),
            ("a key missing, extra or renamed", 1200, self.keys_broken),
            ("JSON broken", 2600, self.json_broken),
            ("encoding or length broken", 1600, self.encoding_broken),
            ("not an object", 400, self.not_an_object),
            ("random string", 1500, self.random_string),
        ]
        cases = [
            Case(family, ((maker(), rng.choice(WHERE)),))
            for family, count, maker in makers
            for _ in range(count)
        ]
        cases += [Case("two cookies, different values", self.duplicated()) for _ in range(700)]
        rng.shuffle(cases)
        return cases


# --- The run -------------------------------------------------------------------------------------

WATCH = """
window.__errors = [];
window.__changes = 0;
addEventListener("error", (e) => __errors.push([window.__case, String(e.message)]));
addEventListener("unhandledrejection",
  (e) => __errors.push([window.__case, "unhandled rejection: " + String(e.reason)]));
document.addEventListener("privacyconsent:change", () => { window.__changes += 1; });
"""

RUN = """async ({cases, name, every}) => {
  const parent = "." + location.hostname.split(".").slice(1).join(".");
  const where = {
    host: "; Path=/",
    domain: "; Path=/; Domain=" + parent,
    deep: "; Path=" + location.pathname,
  };
  // Read as the runtime reads (record.js _cookies): "; "-separated, name up to the first "=".
  const stored = () => (document.cookie ? document.cookie.split("; ") : [])
    .map((pair) => pair.indexOf("=") < 0 ? [pair, ""] : [
      pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)])
    .filter(([key]) => key === name).map(([, value]) => value);
  const clear = (places) => places
    .forEach((at) => { document.cookie = name + "=; Max-Age=0" + where[at]; });
  const sender = new BroadcastChannel("privacy-consent");
  // Channels receive in the order they were made: the runtime's before this one.
  const probe = new BroadcastChannel("privacy-consent");
  const results = [];
  clear(Object.keys(where));
  for (let i = 0; i < cases.length; i++) {
    window.__case = i;
    const written = cases[i];
    written.forEach(([value, at]) => { document.cookie = name + "=" + value + where[at]; });
    const seen = stored();
    if (i % every === 0) {
      await new Promise((done) => { probe.onmessage = done; sender.postMessage(1); });
    } else {
      document.dispatchEvent(new Event("visibilitychange"));
    }
    const banner = document.querySelector(".ppc-banner");
    const exact = JSON.stringify(seen.slice().sort()) ===
      JSON.stringify(written.map(([value]) => value).sort());
    const chosen = window.PrivacyConsent.get() !== null, hidden = !banner || banner.hidden;
    results.push([exact ? null : seen, chosen, hidden]);
    // Stop at the first choice: the next case would withdraw it, and the runtime reloads a page
    // whose gated scripts ran, which would end this evaluate without a result.
    if (chosen || hidden) break;
    clear(written.map(([, at]) => at));
    if (!exact) {
      // A ";" in a value can carry attributes of its own ("x;path=/partner"): clear them all.
      clear(Object.keys(where));
      ["/partner", "/partner/", "/"].forEach((path) => ["", "; Domain=" + parent].forEach((d) => {
        document.cookie = name + "=; Max-Age=0; Path=" + path + d;
      }));
    }
  }
  window.__case = null;
  sender.close();
  probe.close();
  return results;
}"""

#: The gated markup as it stands: inert means text/plain scripts, no src on images and frames,
#: none of the partner's scripts run, and Google Consent Mode never updated.
GATE = """() => ({
  scripts: [...document.querySelectorAll("script[data-category]")].map((s) => s.type),
  sources: [...document.querySelectorAll("img[data-category], iframe[data-category]")]
    .map((e) => e.getAttribute("src")),
  order: window.order === undefined ? null : window.order,
  updates: (window.dataLayer || []).filter((entry) => entry[1] === "update").length,
})"""


@pytest.fixture
def page_errors(page: Page) -> list[str]:
    found: list[str] = []
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def banner_of(page: Page) -> Any:
    return page.get_by_role("region", name="Cookie choices")


def test_ten_thousand_hostile_consent_cookies_open_no_gate(
    page: Page, consent_url: str, consent_site: Path, hits: Partner, page_errors: list[str]
) -> None:
    runtime = Runtime.from_bundle(consent_site)
    page.add_init_script(WATCH)
    page.goto(f"{consent_url}partner/", wait_until="networkidle")
    expect(banner_of(page)).to_be_visible()
    start: int = page.evaluate("Date.now()")
    hostile = Hostile(SEED, runtime, start)
    # The control: every category granted, so that an open gate shows at the partner.
    control = hostile.record() | {"c": dict.fromkeys(runtime.optional, True)}
    cases = hostile.cases()

    # Invalid by construction, as the model of the rules sees them; and the control valid.
    valid = [case for case in cases if valid_record(case.values, runtime, start, start + SLACK)]
    assert valid == []
    assert valid_record([encode(dumps(control))], runtime, start, start + SLACK)

    results: list[list[Any]] = page.evaluate(
        RUN,
        {
            "cases": [[list(cookie) for cookie in case.cookies] for case in cases],
            "name": runtime.name,
            "every": BROADCAST_EVERY,
        },
    )
    end: int = page.evaluate("Date.now()")
    assert end - start < SLACK, "the run outlasted the margin the values' timestamps keep"

    errors: list[list[Any]] = page.evaluate("window.__errors")
    assert errors == []
    assert page_errors == []
    opened = [
        (index, case.family, case.cookies, "stored as written" if altered is None else altered)
        for index, (case, (altered, chosen, hidden)) in enumerate(
            zip(cases[: len(results)], results, strict=True)
        )
        if chosen or hidden
    ]
    assert opened == [], "a hostile cookie made a choice (the run stopped there)"
    assert len(results) == len(cases)
    assert page.evaluate("window.__changes") == 0
    # What the browser changed still broke a rule when the runtime read it.
    reached_valid = [
        (case.family, case.cookies, altered)
        for case, (altered, _, _) in zip(cases, results, strict=True)
        if altered is not None and valid_record(altered, runtime, start, end)
    ]
    assert reached_valid == []
    stored = [case for case, (altered, _, _) in zip(cases, results, strict=True) if altered is None]
    print(
        f"\n{len(cases)} hostile cases, {len(stored)} stored exactly as written "
        f"({sum(len(case.cookies) for case in stored)} cookie values); by family: "
        f"{dict(Counter(case.family for case in stored))}; in {(end - start) / 1000:.1f} s "
        "of page time"
    )
    assert len(stored) >= REQUIRED_STORED
    expect(banner_of(page)).to_be_visible()
    gate: dict[str, Any] = page.evaluate(GATE)
    assert gate == {
        "scripts": ["text/plain"] * 4,
        "sources": [None, None],
        "order": None,
        "updates": 0,
    }
    page.wait_for_timeout(300)  # anything the runtime started would have reached the partner
    assert hits.paths() == []

    # The control: a valid record, made the same way, set and read the same way, is a choice.
    page.evaluate(
        """([name, value]) => { document.cookie = name + "=" + value + "; Path=/";
        document.dispatchEvent(new Event("visibilitychange")); }""",
        [runtime.name, encode(dumps(control))],
    )
    assert page.evaluate("window.PrivacyConsent.get()") == control
    expect(banner_of(page)).to_be_hidden()
    assert page.evaluate("window.__changes") == 1
    assert settle(hits, GATED) == GATED
    assert page_errors == []


def settle(partner: Partner, expected: set[str], seconds: float = 5.0) -> set[str]:
    """The paths the partner has received, once they are ``expected`` or the time is up."""
    deadline = time.monotonic() + seconds
    while set(partner.paths()) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return set(partner.paths())
