"""Reading version files: front matter with typed dates, checked key by key, with line numbers
(the reading itself is versions/frontmatter.py's, a translation's own keys
versions/translation_keys.py's)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policy_site.problems import PolicySiteError, Problem
from policy_site.versions.frontmatter import (
    KNOWN_KEYS,
    Reader,
    parse,
    split_front_matter,
    value_node,
    xml_illegal,
)
from policy_site.versions.translation_keys import translation_effective, translation_keys

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

_FILE_NAME = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
#: A translation's file: the date of the version it translates, then its language (BCP 47).
TRANSLATION_NAME = re.compile(
    r"\A(?P<date>\d{4}-\d{2}-\d{2})\.(?P<language>[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)\Z"
)
#: A heading anchor as the toc extension writes it (and as a link's fragment gives it).
_ANCHOR = re.compile(r"\A[^\s#\"'<>]+\Z")


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


def read_version(path: Path, text: str | None = None) -> tuple[PolicyVersion | None, list[Problem]]:
    """Read one version file, or a translation (``YYYY-MM-DD.<language>.md``); return it (None if
    unusable) and what is wrong with it. ``text``, when given, is the file's content (as a
    commit had it)."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as err:
            line = err.object[: err.start].count(b"\n") + 1
            return None, [Problem(path, line, None, f"not UTF-8 text ({err}); save it as UTF-8.")]
    parsed = parse(path, text)
    if isinstance(parsed, Problem):
        return None, [parsed]
    reader, meta = parsed, parsed.meta
    translation = TRANSLATION_NAME.match(path.stem)
    language = None
    if translation is not None:
        language = translation_keys(reader, translation["date"], translation["language"])
        effective = translation_effective(reader, translation["date"])
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


def _optional_date(reader: Reader, key: str) -> dt.date | None:
    if reader.meta.get(key) is None:
        return None
    return reader.date(key, reader.meta[key], reader.nodes.get(f"{key}/value"))


def _effective(reader: Reader) -> dt.date | None:
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


def _errata(reader: Reader) -> tuple[Erratum, ...]:
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
        day = reader.date("errata", entry["date"], value_node(entry_node, "date"))
        if not isinstance(entry["text"], str) or not entry["text"].strip():
            reader.fail("errata", "an entry's 'text' must say what was corrected.")
        elif reader.printable("errata", entry["text"]) and day is not None:
            errata.append(Erratum(day, entry["text"].strip()))
    return tuple(errata)


def _anchors(reader: Reader) -> dict[str, str | None]:
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


def _withdrawal(reader: Reader) -> Withdrawal | None:
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
    day = reader.date("withdrawn", value["date"], value_node(node, "date"))
    reason = value["reason"]
    if not isinstance(reason, str) or not reason.strip():
        reader.fail("withdrawn", "'reason' must say, in plain words, why it was withdrawn.")
        return None
    if not reader.printable("withdrawn", reason) or day is None:
        return None
    return Withdrawal(day, reason.strip())
