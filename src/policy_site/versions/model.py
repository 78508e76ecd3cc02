"""Reading version files: front matter with typed dates, checked key by key, with line numbers."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policy_site.problems import PolicySiteError, Problem, yaml_problem

__all__ = [
    "CHANGE_CLASSES",
    "KNOWN_KEYS",
    "Erratum",
    "PolicyVersion",
    "Problem",
    "VersionError",
    "Withdrawal",
    "read_version",
    "split_front_matter",
    "xml_illegal",
]

CHANGE_CLASSES = ("material", "clarification", "editorial")
KNOWN_KEYS = ("effective", "title", "summary", "change", "announced", "notified", "errata", "lint",
              "anchors", "withdrawn", "language", "translates")  # fmt: skip
#: What a translation takes from the version it translates, and may not say itself.
INHERITED_KEYS = ("change", "withdrawn", "notified")

#: libyaml's parser when PyYAML has it (its wheels do): ten times faster on 300 versions.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*\r?\n?", re.DOTALL)
_FILE_NAME = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
#: A translation's file: the date of the version it translates, then its language (BCP 47).
TRANSLATION_NAME = re.compile(
    r"\A(?P<date>\d{4}-\d{2}-\d{2})\.(?P<language>[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)\Z"
)
#: A heading anchor as the toc extension writes it (and as a link's fragment gives it).
_ANCHOR = re.compile(r"\A[^\s#\"'<>]+\Z")
_ISO_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
_LOOSE_DATE = re.compile(r"\A\d{4}-(\d-\d{1,2}|\d{1,2}-\d)\Z")
_SLASHED_DATE = re.compile(r"\A\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\Z")
#: Besides YAMLError, PyYAML fails with plain exceptions on a value it resolves but cannot build:
#: a date that does not exist (2027-02-30), a tag on the wrong text (!!int x, !!timestamp x).
_UNREADABLE = (ValueError, KeyError, IndexError, AttributeError, RecursionError)
#: What XML 1.0 cannot carry, not even as a character reference: the C0 controls other than tab,
#: line feed and carriage return, and U+FFFE and U+FFFF. YAML lets them in ("\x0b", "\e").
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class VersionError(PolicySiteError):
    """Version files are wrong. Carries every problem found, each naming file, key and fix."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)


@dataclass(frozen=True)
class Erratum:
    """A correction to a version already in effect, shown on its page."""

    date: dt.date
    text: str


@dataclass(frozen=True)
class Withdrawal:
    """An announced version taken back before it took effect: when, and why."""

    date: dt.date
    reason: str


@dataclass(frozen=True)
class PolicyVersion:
    """One version of the policy as its editor wrote it, its front matter typed."""

    path: Path
    effective: dt.date
    title: str
    body: str
    summary: str | None = None
    change: str | None = None
    announced: dt.date | None = None
    errata: tuple[Erratum, ...] = ()
    #: Lint rules this version knowingly does not follow, each with the reason.
    waivers: Mapping[str, str] = field(default_factory=dict)
    #: Heading anchors of earlier versions that this one no longer has: the anchor of the section
    #: that now holds their text, or None for a section removed (its links go to the redline).
    anchors: Mapping[str, str | None] = field(default_factory=dict)
    withdrawn: Withdrawal | None = None
    #: The day registered users were sent an e-mail about this version (WP260 para 29).
    notified: dt.date | None = None
    #: A translation's language; None for the authoritative text. A translation has the id of
    #: the version it translates, and takes its change class, withdrawal and notice from it.
    language: str | None = None
    #: Line numbers of the front matter keys, and of the body's first line, for messages.
    lines: Mapping[str, int] = field(default_factory=dict)
    body_line: int = 1

    @property
    def id(self) -> str:
        """The version's permanent identifier: its effective date, ``YYYY-MM-DD``."""
        return self.effective.isoformat()

    @property
    def key(self) -> str:
        """Its file's name without ``.md``: the id, and for a translation ``.<language>`` after
        it; what the lock and the rendered pages are keyed by."""
        return self.id if self.language is None else f"{self.id}.{self.language}"

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)


def xml_illegal(text: str) -> str | None:
    """The first character of ``text`` that an XML document (the feed) cannot hold, as U+XXXX."""
    found = _NOT_XML.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def split_front_matter(text: str) -> tuple[str, str] | None:
    """``text`` -> (front matter YAML, Markdown body), or None when there is no front matter."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return None
    return match.group(1) or "", text[match.end() :]


class _Reader:
    """Collects the problems of one file while its keys are read."""

    def __init__(self, path: Path, meta: dict[str, Any], body: str, body_line: int) -> None:
        self.path = path
        self.meta = meta
        self.body = body
        self.body_line = body_line
        self.nodes: dict[str, yaml.Node] = {}
        self.problems: list[Problem] = []

    def line(self, key: str) -> int:
        node = self.nodes.get(key)
        return node.start_mark.line + 2 if node is not None else 1

    def fail(self, key: str | None, message: str) -> None:
        self.problems.append(Problem(self.path, self.line(key) if key else 1, key, message))

    def date(self, key: str, value: Any, node: yaml.Node | None) -> dt.date | None:
        raw = str(node.value) if isinstance(node, yaml.ScalarNode) else repr(value)
        if isinstance(value, dt.datetime):
            self.fail(key, f"{raw} is a date and a time; write the date alone, as YYYY-MM-DD.")
        elif isinstance(value, dt.date) and _ISO_DATE.match(raw):
            return value
        elif isinstance(value, dt.date):
            self.fail(key, f"write {raw} as {value.isoformat()} (YYYY-MM-DD, zero-padded).")
        elif isinstance(value, str) and _SLASHED_DATE.match(value):
            self.fail(key, f"{value} is ambiguous (day or month first?); write it as YYYY-MM-DD.")
        elif isinstance(value, str) and _LOOSE_DATE.match(value):
            year, month, day = value.split("-")
            self.fail(key, f"write {value} as {year}-{int(month):02}-{int(day):02} (YYYY-MM-DD).")
        elif isinstance(value, str) and _ISO_DATE.match(value):
            self.fail(key, f"'{value}' is text; write the date without quotes: {value}.")
        else:
            self.fail(key, f"{raw} is not a date; write it as YYYY-MM-DD, e.g. 2027-01-01.")
        return None

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.meta.get(key)
        if value is None:
            if required:
                self.fail(None, f"key '{key}' is missing: add '{key}: ...' to the front matter.")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be non-empty text.")
            return None
        return value.strip() if self.printable(key, value) else None

    def printable(self, key: str, value: str) -> bool:
        """False, with the problem recorded, when ``value`` holds a character the feed cannot."""
        code = xml_illegal(value)
        if code is not None:
            self.fail(
                key,
                f"holds {code}, a character that the feed (XML) cannot carry: delete it.",
            )
        return code is None


def _parse(path: Path, text: str) -> _Reader | Problem:
    parts = split_front_matter(text)
    if parts is None:
        return Problem(
            path,
            1,
            None,
            "no front matter: start the file with a '---' line, "
            "'effective: YYYY-MM-DD' and 'title: ...', then another '---' line.",
        )
    try:
        tree = yaml.compose(parts[0], Loader=_LOADER)
        meta = yaml.load(parts[0], Loader=_LOADER) or {}
    except yaml.YAMLError as err:
        return yaml_problem(path, err, "the front matter", first_line=2)
    except _UNREADABLE as err:
        return _unreadable(path, parts[0], err)
    if not isinstance(tree, yaml.MappingNode) or not isinstance(meta, dict):
        return Problem(path, 2, None, "the front matter must be 'key: value' lines.")
    reader = _Reader(path, meta, parts[1], body_line=text.count("\n") - parts[1].count("\n") + 1)
    nodes = reader.nodes
    for key_node, value_node in tree.value:
        key = str(key_node.value)
        if key in nodes:
            nodes[key] = key_node
            reader.fail(key, "appears twice; keep one.")
        nodes[key] = key_node
        nodes[f"{key}/value"] = value_node
        if key not in KNOWN_KEYS:
            reader.fail(key, f"unknown key; the keys are: {', '.join(KNOWN_KEYS)}.")
    return reader


def _unreadable(path: Path, front: str, err: Exception) -> Problem:
    """The problem naming the first key whose value PyYAML parsed but could not build."""
    loader = _LOADER(front)
    try:
        tree = loader.get_single_node()
        for key_node, value_node in tree.value if isinstance(tree, yaml.MappingNode) else ():
            try:
                loader.construct_object(value_node, deep=True)
            except _UNREADABLE:
                line, key = key_node.start_mark.line + 2, str(key_node.value)
                break
        else:
            line, key = 2, None
    finally:
        loader.dispose()
    fix = "a date must exist and be written YYYY-MM-DD, and no value needs a '!!' tag."
    return Problem(path, line, key, f"cannot be read ({type(err).__name__}: {err}); {fix}")


def read_version(path: Path) -> tuple[PolicyVersion | None, list[Problem]]:
    """Read one version file, or a translation (``YYYY-MM-DD.<language>.md``); return it (None if
    unusable) and what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        line = err.object[: err.start].count(b"\n") + 1
        return None, [Problem(path, line, None, f"not UTF-8 text ({err}); save it as UTF-8.")]
    parsed = _parse(path, text)
    if isinstance(parsed, Problem):
        return None, [parsed]
    reader, meta = parsed, parsed.meta
    translation = TRANSLATION_NAME.match(path.stem)
    language = None
    if translation is not None:
        language = _translation_keys(reader, translation["date"], translation["language"])
        effective = _translation_effective(reader, translation["date"])
    else:
        effective = _effective(reader)
        for key in ("language", "translates"):
            if key in meta:
                reader.fail(
                    key,
                    f"only a translation has '{key}': a translation is a file of its own, named "
                    f"by the date of the version it translates and its language, e.g. "
                    f"{path.stem}.sv.md. Delete '{key}' here.",
                )
    announced = _optional_date(reader, "announced")
    notified = _optional_date(reader, "notified")
    change = reader.text("change")
    if change is not None and change not in CHANGE_CLASSES:
        reader.fail("change", f"is '{change}'; write one of: {', '.join(CHANGE_CLASSES)}.")
    errata = _errata(reader)
    waivers = meta.get("lint") or {}
    if not isinstance(waivers, dict) or not all(
        isinstance(reason, str) and reason.strip() for reason in waivers.values()
    ):
        reader.fail(
            "lint",
            "must map a rule name to the reason it is waived, e.g. "
            "'check-back-wording: kept from the previous version'.",
        )
        waivers = {}
    anchors = _anchors(reader)
    withdrawn = _withdrawal(reader)
    title = reader.text("title", required=True)
    summary = reader.text("summary")
    if effective is None or title is None or reader.problems:
        return None, reader.problems
    lines = {key: reader.line(key) for key in reader.nodes if "/" not in key}
    version = PolicyVersion(
        path=path,
        effective=effective,
        title=title,
        body=reader.body,
        summary=summary,
        change=change,
        announced=announced,
        errata=errata,
        waivers=waivers,
        anchors=anchors,
        withdrawn=withdrawn,
        notified=notified,
        language=language,
        lines=lines,
        body_line=reader.body_line,
    )
    return version, []


def _optional_date(reader: _Reader, key: str) -> dt.date | None:
    if reader.meta.get(key) is None:
        return None
    return reader.date(key, reader.meta[key], reader.nodes.get(f"{key}/value"))


def _effective(reader: _Reader) -> dt.date | None:
    """A version's effective date, which its file is named by."""
    stem = reader.path.stem
    if not _FILE_NAME.match(stem):
        reader.fail(None, "a version file is named by its effective date, e.g. 2027-01-01.md.")
    if "effective" not in reader.meta:
        reader.fail(None, f"key 'effective' is missing: add 'effective: {stem}'.")
        return None
    effective = reader.date(
        "effective", reader.meta["effective"], reader.nodes.get("effective/value")
    )
    if effective is not None and _FILE_NAME.match(stem) and effective.isoformat() != stem:
        reader.fail(
            "effective",
            f"is {effective.isoformat()} but the file name says {stem}: "
            "rename the file or correct the date so that they agree.",
        )
    return effective


def _translation_keys(reader: _Reader, day: str, language: str) -> str:
    """Checks what makes a file a translation: its ``language`` and the version it
    ``translates``, both as its name says; and that it leaves the inherited keys alone."""
    meta = reader.meta
    given = meta.get("language")
    if given is None:
        reader.fail(
            None, f"key 'language' is missing: add 'language: {language}' (the file name's)."
        )
    elif given != language:
        reader.fail(
            "language",
            f"is {given!r} but the file name says {language}: rename the file or correct "
            "'language' so that they agree.",
        )
    if "translates" not in meta:
        reader.fail(
            None,
            f"key 'translates' is missing: add 'translates: {day}', the effective date of the "
            "version this text translates.",
        )
    else:
        source = reader.date("translates", meta["translates"], reader.nodes.get("translates/value"))
        if source is not None and source.isoformat() != day:
            reader.fail(
                "translates",
                f"is {source.isoformat()} but the file name says {day}: a translation is named "
                f"after the version it translates ({source.isoformat()}.{language}.md).",
            )
    for key in INHERITED_KEYS:
        if key in meta:
            reader.fail(
                key,
                f"a translation takes '{key}' from the version it translates ({day}.md): "
                "delete it here.",
            )
    return language


def _translation_effective(reader: _Reader, day: str) -> dt.date | None:
    """A translation applies when the version it translates does: 'effective' may be left out,
    and when given is that version's."""
    if "effective" in reader.meta:
        effective = reader.date(
            "effective", reader.meta["effective"], reader.nodes.get("effective/value")
        )
        if effective is not None and effective.isoformat() != day:
            reader.fail(
                "effective",
                f"is {effective.isoformat()}, but this translates the version effective {day}, "
                "and a translation applies when its version does: delete 'effective'.",
            )
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        reader.fail(None, f"the file name's {day} is not a date: name it YYYY-MM-DD.<language>.md.")
        return None


def _value_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The node of ``key``'s value in a mapping node (for the raw text of a date)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if name.value == key), None)


def _errata(reader: _Reader) -> tuple[Erratum, ...]:
    entries = reader.meta.get("errata")
    if entries is None:
        return ()
    node = reader.nodes.get("errata/value")
    if not isinstance(entries, list) or not isinstance(node, yaml.SequenceNode):
        reader.fail(
            "errata",
            "must be a list of entries, each with 'date: YYYY-MM-DD' and "
            "'text: what was corrected'.",
        )
        return ()
    errata: list[Erratum] = []
    for entry, entry_node in zip(entries, node.value, strict=True):
        if not isinstance(entry, dict) or set(entry) != {"date", "text"}:
            reader.fail("errata", "each entry has exactly 'date: YYYY-MM-DD' and 'text: ...'.")
            continue
        day = reader.date("errata", entry["date"], _value_node(entry_node, "date"))
        if not isinstance(entry["text"], str) or not entry["text"].strip():
            reader.fail("errata", "an entry's 'text' must say what was corrected.")
        elif reader.printable("errata", entry["text"]) and day is not None:
            errata.append(Erratum(day, entry["text"].strip()))
    return tuple(errata)


def _anchors(reader: _Reader) -> dict[str, str | None]:
    value = reader.meta.get("anchors")
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(old, str) and _ANCHOR.match(old) and (new is None or isinstance(new, str))
        for old, new in value.items()
    ):
        reader.fail(
            "anchors",
            "must map an earlier version's heading anchor to the anchor that replaces it, or to "
            "null for a section removed, e.g. 'what-information-about-me-is-collected: "
            "what-information-do-we-collect' (no '#').",
        )
        return {}
    anchors: dict[str, str | None] = {}
    for old, new in value.items():
        if new is not None and not _ANCHOR.match(new.lstrip("#")):
            reader.fail("anchors", f"'{old}' maps to '{new}', which is not an anchor (no spaces).")
        anchors[old] = new.lstrip("#") if new is not None else None
    return anchors


def _withdrawal(reader: _Reader) -> Withdrawal | None:
    value = reader.meta.get("withdrawn")
    if value is None:
        return None
    node = reader.nodes.get("withdrawn/value")
    if not isinstance(value, dict) or set(value) != {"date", "reason"}:
        reader.fail(
            "withdrawn",
            "has exactly 'date: YYYY-MM-DD' and 'reason: why'; policy-site withdraw writes it.",
        )
        return None
    day = reader.date("withdrawn", value["date"], _value_node(node, "date"))
    reason = value["reason"]
    if not isinstance(reason, str) or not reason.strip():
        reader.fail("withdrawn", "'reason' must say, in plain words, why it was withdrawn.")
        return None
    if not reader.printable("withdrawn", reason) or day is None:
        return None
    return Withdrawal(day, reason.strip())
