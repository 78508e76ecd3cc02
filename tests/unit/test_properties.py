"""Hostile input for the two loaders that read what editors write: ``consent/consent.yml`` and the
version files' front matter.

The property, whatever a file holds (random YAML documents, the real file with a value replaced,
a key deleted or an unknown key added, text that is not YAML, bytes that are not UTF-8): the
loader returns a checked result or raises its own error naming the file (ConsentConfigError,
VersionError); never any other exception, so a build never stops on a traceback. A result it
returns holds nothing the consent script could not use as it stands.

Reproducible: ``derandomize=True`` draws the same examples on every run (no database, no clock),
and ``max_examples`` is set per test to keep each to a few seconds.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

from policy_site.consent import ConsentConfig, ConsentConfigError, load_consent
from policy_site.consent.config import MAX_AGE_LIMIT, TEXT_KEYS
from policy_site.versions import Policy, Settings, VersionError, load_policy
from policy_site.versions.lock import LockEntry, body_sha256, write_lock
from policy_site.versions.model import CHANGE_CLASSES, read_version
from tests.support import ROOT

REAL_CONSENT = ROOT / "consent" / "consent.yml"
REAL_TEXT = REAL_CONSENT.read_text(encoding="utf-8")
REAL: dict[str, Any] = yaml.safe_load(REAL_TEXT)


def examples(count: int) -> settings:
    """``count`` examples, the same on every run (derandomized, no example database). No
    deadline: one slow example on a loaded CI machine is not a failure of the property."""
    return settings(max_examples=count, derandomize=True, database=None, deadline=None)


@contextmanager
def folder() -> Iterator[Path]:
    """A fresh directory per example: pytest's tmp_path is one per test, not per example."""
    with tempfile.TemporaryDirectory(prefix="policy-site-hostile-") as name:
        yield Path(name)


# --- What YAML can hold -----------------------------------------------------------------------

#: Strings that have broken parsers, regular expressions or date handling somewhere.
TRICKY = [
    "", " ", "\t", "\n", "~", "null", "yes", "no", "on", "off", "True", ".nan", ".inf", "-.inf",
    "0x1F", "0o17", "1_000", "1e400", "-0", "2026-02-30", "0000-01-01", "9999-12-31",
    "10000-01-01", "2026-11-29 25:00:00", "2026-11-29T09:30:00+99:00", "\u2028", "\u2029",
    "\ufeff", "\x00", "\x1b[31m", "\U0001f36a", "Nödvändiga", "</script>", "'", '"', "\\",
    "%", "*", "&a", "!!", "---", "...", "? x", "- x", "{", "[", "a: b", "#", "|", ">",
    "(", ")", "[a-", "a{4294967296}", "(?P<x>a)", "(?i)a", "\\Z", "x" * 300, "(" * 600 + ")" * 600,
    "tt_consent", "necessary", "analytics", "advertising", "__proto__", "constructor",
    ".toontrack.com", "..toontrack.com", "toontrack.com:0", "www.google-analytics.com:99999",
    "Lax", "Strict", "None",
]  # fmt: skip
TEXT = st.text(max_size=24) | st.sampled_from(TRICKY)
KEYS = TEXT | st.integers(-3, 3) | st.booleans() | st.none() | st.dates() | st.floats()
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(10**30), 10**30)
    | st.floats()
    | TEXT
    | st.dates()
    | st.datetimes()
    | st.binary(max_size=8)
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)

#: Scalars as YAML text, some of which PyYAML reads as a date or a number and then cannot build.
RAW_SCALARS = [
    "!!float x", "!!int abc", "!!int", "!!int 0x", "!!timestamp foo", "!!bool maybe",
    "!!binary ###", "!!binary é", "!!python/object:os.system x", "!!set [1]", "!!omap [1]",
    "!!str [a]", "!!map []", "*undefined", "&a [*a]", "{<<: 1}", "{a: 1, a: 2}",
    "[" * 2000 + "]" * 2000, "{? [a, b]: 1}", "'unclosed", '"\\x"',
]  # fmt: skip
SCALAR_TEXT = (
    st.sampled_from(RAW_SCALARS)
    | st.builds(
        "{:04}-{:02}-{:02}".format, st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)
    )
    | st.builds(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}".format,
        st.integers(0, 9999),
        st.integers(1, 12),
        st.integers(1, 28),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 99),
    )
    | TEXT
)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)


@st.composite
def mutated(draw: st.DrawFn, document: Any, mutations: int = 3) -> Any:
    """``document`` with one to ``mutations`` changes, each at a random key path: a value
    replaced by a random one, a key or list item deleted, or an unknown key added."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, mutations))):
        document = _mutate(draw, document)
    return document


def _mutate(draw: st.DrawFn, node: Any) -> Any:
    """``node`` changed somewhere at or below it (in place for containers), or its replacement."""
    keys: list[Any] = list(node) if isinstance(node, dict) else []
    if isinstance(node, list):
        keys = list(range(len(node)))
    if not keys:
        return draw(VALUES)
    # Three times out of four, go one level deeper.
    if draw(st.integers(0, 3)) > 0:
        key = draw(st.sampled_from(keys))
        node[key] = _mutate(draw, node[key])
        return node
    action = draw(st.sampled_from(["replace", "delete", "add"]))
    key = draw(st.sampled_from(keys))
    if action == "replace":
        node[key] = draw(VALUES)
    elif action == "delete":
        del node[key]
    elif isinstance(node, dict):
        node[draw(KEYS)] = draw(VALUES)
    else:
        node.insert(key, draw(VALUES))
    return node


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    """``text`` (YAML) with a line's value replaced by raw YAML, a line inserted, or cut short."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        action = draw(st.sampled_from(["value", "insert", "truncate"]))
        if action == "value" and ": " in line:
            lines[index] = line[: line.index(": ") + 2] + draw(SCALAR_TEXT)
        elif action == "truncate":
            lines = [*lines[:index], line[: draw(st.integers(0, len(line)))]]
        else:
            indent = draw(st.sampled_from(["", "  ", "    ", "\t", "      "]))
            lines.insert(index, indent + draw(SCALAR_TEXT) + draw(st.sampled_from(["", ": x"])))
    return "\n".join(lines) + "\n"


# --- consent.yml --------------------------------------------------------------------------------


def load_or_named_error(path: Path) -> ConsentConfig | None:
    """The config, or None when the loader refused it with a message naming the file. Any other
    exception propagates and fails the test."""
    try:
        config = load_consent(path)
    except ConsentConfigError as err:
        message = str(err)
    else:
        event("loaded")  # pytest --hypothesis-show-statistics shows how often
        assert_usable(config)
        return config
    event("refused")
    assert re.match(rf"{re.escape(str(path))}(:\d+)?: ", message), message
    return None


def assert_usable(config: ConsentConfig) -> None:
    """What the consent script relies on, in a config the loader let through."""
    assert re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+", config.cookie.name)
    assert 1 <= config.cookie.max_age_days <= MAX_AGE_LIMIT
    assert 1 <= config.cookie.refusal_holds_days <= config.cookie.max_age_days
    assert config.cookie.same_site in ("Lax", "Strict")
    assert isinstance(config.consent_mode, bool)
    assert type(config.gpc_last_update) is dt.date
    assert [category.necessary for category in config.categories].count(True) == 1
    assert len({category.id for category in config.categories}) == len(config.categories)
    ids = [service.id for c in config.categories for service in c.services if service.id]
    assert len(set(ids)) == len(ids)
    assert config.languages
    for category in config.categories:
        assert not (category.necessary and category.gpc)
        assert not (category.necessary and category.consent_mode)
        # Chosen per service: each has an id, which markup names; nothing else lists signals.
        assert all(s.id for s in category.services) or not category.per_service
        assert not any(s.consent_mode for s in category.services) or category.per_service
        for lang in config.languages:
            assert category.title[lang].strip()
            assert category.description[lang].strip()
        for item in (*category.cookies, *category.storage):
            re.compile(item.regex)
            assert all(item.purpose[lang].strip() for lang in config.languages)
    for lang in config.languages:
        assert tuple(config.texts[lang]) == TEXT_KEYS
        assert all(text.strip() for text in config.texts[lang].values())


def test_the_real_consent_file_is_the_valid_starting_point() -> None:
    # The mutations below start from this file: it must load, or they would test nothing.
    assert_usable(load_consent(REAL_CONSENT))


@examples(150)  # about 2 s: each example writes and re-reads a document of about 100 lines
@given(mutated(REAL))
def test_consent_file_mutated_at_any_key_path(document: Any) -> None:
    with folder() as tmp:
        path = tmp / "consent.yml"
        path.write_text(dump(document), encoding="utf-8")
        load_or_named_error(path)


@examples(300)  # about 1 s: small documents
@given(
    st.dictionaries(
        st.sampled_from(["cookie", "consent_mode", "gpc_last_update", "categories", "texts"])
        | KEYS,
        VALUES,
        max_size=6,
    )
    | VALUES
)
def test_consent_file_holding_any_yaml_document(document: Any) -> None:
    with folder() as tmp:
        path = tmp / "consent.yml"
        path.write_text(dump(document), encoding="utf-8")
        load_or_named_error(path)


@examples(250)  # about 2 s
@given(mutated_text(REAL_TEXT) | st.text(max_size=200))
def test_consent_file_holding_any_text(text: str) -> None:
    with folder() as tmp:
        path = tmp / "consent.yml"
        path.write_text(text, encoding="utf-8")
        load_or_named_error(path)


@examples(100)  # under 1 s
@given(
    st.binary(max_size=200)
    | st.sampled_from(["latin-1", "cp1252", "utf-16", "utf-8-sig"]).map(REAL_TEXT.encode)
)
def test_consent_file_holding_any_bytes(content: bytes) -> None:
    # A file saved as Latin-1 or UTF-16 by an editor, or garbage.
    with folder() as tmp:
        path = tmp / "consent.yml"
        path.write_bytes(content)
        load_or_named_error(path)


PATTERN_TEXT = (
    st.sampled_from(TRICKY)
    | st.text(alphabet="()[]{}?*+|^$\\.-,:<>=!P0123456789aZdwAN", max_size=16)
    | st.text(max_size=10)
)


@examples(150)  # about 2 s: each example loads the whole file
@given(
    category=st.sampled_from(["necessary", "analytics"]),
    kind=st.sampled_from(["cookies", "storage"]),
    pattern=PATTERN_TEXT,
)
def test_consent_file_with_any_cookie_or_storage_pattern(
    category: str, kind: str, pattern: str
) -> None:
    # A pattern is compiled at build time: whatever regular expression an editor writes.
    document = copy.deepcopy(REAL)
    items = document["categories"][category].setdefault(kind, [])
    items.append({"pattern": pattern, "label": {"en": "N", "sv": "N"}, "en": "P", "sv": "S"})
    if kind == "cookies":
        items[-1].update(domain=".toontrack.com", lifetime_days=1)
    with folder() as tmp:
        path = tmp / "consent.yml"
        path.write_text(dump(document), encoding="utf-8")
        load_or_named_error(path)


# --- Version files ------------------------------------------------------------------------------

FIRST = "---\ntitle: Policy\neffective: 2020-01-01\n---\n# Policy\n\nWe collect names.\n"
FIRST_ID = "2020-01-01"
#: Any day, and often the edges: the first and last days a date can hold, and days near them.
DATES = (
    st.dates()
    | st.dates(max_value=dt.date(1, 3, 1))
    | st.dates(min_value=dt.date(9999, 11, 1))
    | st.sampled_from([dt.date(2020, 1, 1), dt.date(2020, 11, 1), dt.date(2021, 1, 1)])
)


def _days_before(day: dt.date, days: int) -> dt.date:
    """``day`` minus ``days``, kept within the dates Python can hold."""
    return dt.date.fromordinal(min(max(day.toordinal() - days, 1), dt.date.max.toordinal()))


@st.composite
def front_matter(draw: st.DrawFn) -> Any:
    """Half the time a valid version's front matter (some optional keys left out) with up to
    two changes at random key paths; else each known key present or not, holding a fitting
    value or any value, plus unknown keys. Announcements and errata are often dated close to the
    effective date, where the notice and errata rules decide."""
    effective = draw(DATES | st.datetimes() | VALUES)
    day = effective if type(effective) is dt.date else dt.date(2021, 1, 1)
    near = st.integers(-40, 40).map(lambda days: _days_before(day, days))
    if draw(st.booleans()):
        valid: dict[Any, Any] = {
            "title": "Policy",
            "effective": day,
            "change": draw(st.sampled_from(CHANGE_CLASSES)),
            "summary": "Adds email addresses.",
            "announced": draw(near),
            "errata": [{"date": draw(near), "text": "Typo."}],
            "lint": {"check-back-wording": "kept from the previous version"},
        }
        for key in draw(st.sets(st.sampled_from(["summary", "announced", "errata", "lint"]))):
            del valid[key]
        for _ in range(draw(st.integers(0, 2))):
            valid = _mutate(draw, valid)
        return valid
    front = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "effective": st.just(effective),
                "title": TEXT | VALUES,
                "summary": TEXT | VALUES,
                "change": st.sampled_from(CHANGE_CLASSES) | VALUES,
                "announced": near | DATES | VALUES,
                "errata": st.lists(
                    st.fixed_dictionaries({"date": near | DATES, "text": TEXT}) | VALUES,
                    max_size=3,
                )
                | VALUES,
                "lint": st.dictionaries(TEXT, TEXT, max_size=2) | VALUES,
            },
        )
    )
    extra = draw(st.dictionaries(KEYS, VALUES, max_size=2))
    return extra | front


BODY = st.sampled_from(
    ["# Policy\n\nWe collect names.\n", "Check this page periodically.\n", "---\n", ""]
) | st.text(max_size=80)


def _file_name(front: Any) -> str:
    """Where a version with this front matter goes: named by its effective date when it has one,
    so that the rules across versions, the lock and the timeline are reached too."""
    effective = front.get("effective") if isinstance(front, dict) else None
    if isinstance(effective, dt.date) and not isinstance(effective, dt.datetime):
        return f"{effective.isoformat()}.md"
    return "2021-01-01.md"


def load_policy_or_named_error(docs: Path, today: dt.date) -> Policy | None:
    """The policy, or None when the loader refused it naming the files; any other exception
    propagates and fails the test."""
    try:
        policy = load_policy(docs, Settings(), today)
    except VersionError as err:
        problems = err.problems
    else:
        event("loaded")
        assert policy.current.version.effective <= today
        return policy
    event("refused")
    assert problems
    for problem in problems:
        assert problem.path.resolve().is_relative_to(docs.resolve()), problem
        assert problem.line >= 1
        assert problem.message.strip()
    return None


@contextmanager
def docs_with(
    content: str | bytes, name: str = "2021-01-01.md", first: bool = True, lock: bool = True,
    errata: int = 0,
) -> Iterator[Path]:  # fmt: skip
    """A docs folder: the valid first version (unless ``first`` is false), ``content`` as
    ``privacy/versions/<name>``, and a lock recording both as they are (unless ``lock`` is
    false), so that a version that reads well also passes the lock check."""
    with folder() as docs:
        versions = docs / "privacy" / "versions"
        versions.mkdir(parents=True)
        entries: dict[str, LockEntry] = {}
        if first:
            (versions / f"{FIRST_ID}.md").write_text(FIRST, encoding="utf-8")
            entries[FIRST_ID] = LockEntry(body_sha256(FIRST.split("---\n", 2)[2]), 0)
        path = versions / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
            body = content.split("---\n", 2)[-1] if content.startswith("---\n") else content
            version = read_version(path)[0]
            announced = (version.announced,) if version and version.announced else ()
            withdrawn = version.withdrawn.date if version and version.withdrawn else None
            entries[path.stem] = LockEntry(body_sha256(body), errata, announced, withdrawn)
        if lock:
            write_lock(docs / "privacy" / "versions.lock", entries)
        yield docs


def test_a_valid_second_version_is_the_starting_point() -> None:
    front = {
        "title": "Policy",
        "effective": dt.date(2021, 1, 1),
        "announced": dt.date(2020, 11, 1),
        "change": "material",
        "summary": "Adds email addresses.",
    }
    with docs_with(f"---\n{dump(front)}---\n# Policy\n") as docs:
        policy = load_policy(docs, Settings(), dt.date(2021, 6, 1))
    assert [version.id for version in policy.versions] == [FIRST_ID, "2021-01-01"]


@examples(300)  # about 2 s
@given(
    front=front_matter(),
    body=BODY,
    today=DATES,
    first=st.booleans(),
    lock=st.booleans(),
)
def test_version_file_with_any_front_matter_values(
    front: Any, body: str, today: dt.date, first: bool, lock: bool
) -> None:
    errata = front.get("errata") if isinstance(front, dict) else None
    count = len(errata) if isinstance(errata, list) else 0
    content = f"---\n{dump(front)}---\n{body}"
    with docs_with(content, _file_name(front), first, lock, count) as docs:
        load_policy_or_named_error(docs, today)


@examples(300)  # about 2 s
@given(front=VALUES, today=DATES)
def test_version_file_with_any_yaml_document_as_front_matter(front: Any, today: dt.date) -> None:
    with docs_with(f"---\n{dump(front)}---\nText.\n") as docs:
        load_policy_or_named_error(docs, today)


VALID_FRONT = (
    "title: Policy\neffective: 2021-01-01\nannounced: 2020-11-01\nchange: material\n"
    "summary: Adds email addresses.\nerrata:\n  - date: 2021-02-01\n    text: Typo.\n"
    "lint: {check-back-wording: kept}\n"
)


@examples(300)  # about 2 s
@given(
    content=mutated_text(VALID_FRONT).map(lambda front: f"---\n{front}---\nText.\n")
    | st.text(max_size=200).map(lambda front: f"---\n{front}\n---\nText.\n")
    | st.text(max_size=200),
    today=DATES,
)
def test_version_file_with_any_text(content: str, today: dt.date) -> None:
    with docs_with(content, errata=1) as docs:
        load_policy_or_named_error(docs, today)


@examples(100)  # under 1 s
@given(
    st.binary(max_size=200)
    | st.sampled_from(["latin-1", "cp1252", "utf-16"]).map(
        f"---\n{VALID_FRONT}---\nNödvändiga uppgifter, café.\n".encode
    )
)
def test_version_file_holding_any_bytes(content: bytes) -> None:
    with docs_with(content) as docs:
        assert load_policy_or_named_error(docs, dt.date(2021, 6, 1)) is None
