"""Front matter as the version files' readers see it: the YAML split from the Markdown, every key
with its line number, and dates and text checked as they are read, each problem naming file, line
and key (versions/model.py reads a version's keys, versions/translation_keys.py a translation's).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from policy_site.problems import Problem, yaml_problem
from policy_site.yaml_slips import duplicate_keys, keyless, twice, yaml_lines

__all__ = ["KNOWN_KEYS", "Reader", "parse", "split_front_matter", "value_node", "xml_illegal"]

KNOWN_KEYS = ("effective", "title", "summary", "change", "announced", "notified", "errata", "lint",
              "anchors", "withdrawn", "language", "translates")  # fmt: skip
#: The keys that take one value (a date, a word or a text), not a list or a mapping.
SINGLE_KEYS = ("effective", "title", "summary", "change", "announced", "notified", "language",
               "translates")  # fmt: skip
#: What each of KNOWN_KEYS holds, as the manual's reference says it (Markdown).
KEY_DOCS = {
    "effective": "the date the text applies from, `YYYY-MM-DD`, the same as the file name (in a "
    "translation, if given at all, the date of the version it translates)",
    "title": "the page title; required",
    "summary": "plain words on what changed (and that nothing else did); required after the "
    "first version",
    "change": "`material`, `clarification` or `editorial`; required after the first version",
    "announced": "the day the version is announced, set by `policy-site announce`; until then "
    "(or until that day) a version not in effect is a draft, checked but not published; a "
    "material change is announced at least `notice_days` before `effective`, and a change to "
    "its text once announced is announced again",
    "notified": "the day registered users were sent the change notice by e-mail "
    "(`policy-site notice`); its pages then say so, in every language",
    "errata": "corrections to a version already in effect (or to an announced clarification or "
    "editorial one): a list of `date` and `text`, shown on its page",
    "lint": "a wording rule knowingly not followed, mapped to the reason "
    "(`check-back-wording: ...`)",
    "anchors": "for each section anchor of the version before that this one no longer has, the "
    "anchor of the section that now holds its text, or `null` for a section removed",
    "withdrawn": "`date` and `reason`, written by `policy-site withdraw`; never edited by hand",
    "language": "a translation's language, as its file name says "
    "(`YYYY-MM-DD.<language>.md`); only in a translation",
    "translates": "the effective date of the version a translation translates, as its file name "
    "says; only in a translation",
}

#: libyaml's parser when PyYAML has it (its wheels do): ten times faster on 300 versions.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*\r?\n?", re.DOTALL)
_OPENING = re.compile(r"\A---[ \t]*\r?\n")
#: A line of front matter: a key (one word, then ':'), indented, a list item, a comment or blank.
_KEY_LINE = re.compile(r"\A[A-Za-z_][\w.-]*:(?:\s|\Z)")
_FRONT_LINE = re.compile(rf"{_KEY_LINE.pattern}|\A(?:[ \t]|-(?:\s|\Z)|#|\s*\Z)")
_HEADING = re.compile(r"\A#{1,6}[ \t]+\S")
_ISO_DATE = re.compile(r"\A\d{4}-\d{2}-\d{2}\Z")
_LOOSE_DATE = re.compile(r"\A\d{4}-(\d-\d{1,2}|\d{1,2}-\d)\Z")
_SLASHED_DATE = re.compile(r"\A\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\Z")
#: Besides YAMLError, PyYAML fails with plain exceptions on a value it resolves but cannot build:
#: a date that does not exist (2027-02-30), a tag on the wrong text (!!int x, !!timestamp x).
_UNREADABLE = (ValueError, KeyError, IndexError, AttributeError, RecursionError)
#: What XML 1.0 cannot carry, not even as a character reference: the C0 controls other than tab,
#: line feed and carriage return, and U+FFFE and U+FFFF. YAML lets them in ("\x0b", "\e").
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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


class Reader:
    """Collects the problems of one file while its keys are read."""

    def __init__(self, path: Path, meta: dict[str, Any], body: str, body_line: int) -> None:
        self.path = path
        self.meta = meta
        self.body = body
        self.body_line = body_line
        self.nodes: dict[str, yaml.Node] = {}
        self.problems: list[Problem] = []
        #: Keys whose value is already refused as a whole: nothing more is said of them.
        self.refused: set[str] = set()

    def line(self, key: str) -> int:
        node = self.nodes.get(key)
        return node.start_mark.line + 2 if node is not None else 1

    def fail(self, key: str | None, message: str) -> None:
        if key in self.refused:
            return
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


def parse(path: Path, text: str) -> Reader | Problem:
    parts = split_front_matter(text)
    opening = _OPENING.match(text)
    if parts is None and opening is not None:
        unclosed = _unclosed(path, yaml_lines(text[opening.end() :]))
        if unclosed is not None:
            return unclosed
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
        mark = getattr(err, "problem_mark", None)
        upto = yaml_lines(parts[0])[: mark.line + 1 if mark is not None else None]
        return _unclosed(path, upto, heading=True) or yaml_problem(
            path, err, "the front matter", first_line=2, text=parts[0]
        )
    except _UNREADABLE as err:
        return _unreadable(path, parts[0], err)
    if not isinstance(tree, yaml.MappingNode) or not isinstance(meta, dict):
        slip = keyless(parts[0]) if isinstance(tree, yaml.ScalarNode) else None
        said = f" {slip.said}. Fix: {slip.fix}." if slip else ""
        line = slip.line + 2 if slip else 2
        return Problem(path, line, None, f"the front matter must be 'key: value' lines.{said}")
    reader = Reader(path, meta, parts[1], body_line=text.count("\n") - parts[1].count("\n") + 1)
    for key, first, again in duplicate_keys(tree, first_line=2):
        reader.problems.append(Problem(path, again, key, twice(first, again)))
    for key_node, value_node in tree.value:
        key = str(key_node.value)
        reader.nodes[key] = key_node
        reader.nodes[f"{key}/value"] = value_node
        if key not in KNOWN_KEYS:
            reader.fail(key, f"unknown key; the keys are: {', '.join(KNOWN_KEYS)}.")
        elif key in SINGLE_KEYS and not isinstance(value_node, yaml.ScalarNode):
            reader.fail(key, _one_value(key, value_node))
            reader.refused.add(key)
    return reader


def _one_value(key: str, node: yaml.Node) -> str:
    """What is said of a list or a mapping given to ``key``, which takes one value."""
    items = node.value if isinstance(node, yaml.SequenceNode) else []
    one = items[0].value if len(items) == 1 and isinstance(items[0], yaml.ScalarNode) else "..."
    given = "a list" if isinstance(node, yaml.SequenceNode) else "'key: value' lines"
    return (
        f"takes one value, but is given {given}: write the one value on the key's own line, "
        f"'{key}: {one}'."
    )


def _unclosed(path: Path, lines: list[str], heading: bool = False) -> Problem | None:
    """The problem of front matter that runs on into the Markdown (``lines``, those after the
    opening '---'), its closing '---' left out: where that belongs, before the first Markdown
    line after the last 'key: value' one. With ``heading``, only if that line is a heading."""
    prose = next((n for n, line in enumerate(lines) if not _FRONT_LINE.match(line)), len(lines))
    keys = [n for n in range(prose) if lines[n].strip() and not lines[n].startswith("#")]
    if not keys:
        return None
    start = next((n for n in range(keys[-1] + 1, len(lines)) if lines[n].strip()), None)
    if heading and (
        start is None
        or start > prose
        or not _HEADING.match(lines[start])
        or any(_KEY_LINE.match(line) for line in lines[prose:])  # a key lost its ':' instead
    ):
        return None
    where = f"after line {keys[-1] + 2} ('{lines[keys[-1]].strip()}')"
    if start is not None:
        where += f", before the Markdown ('{lines[start].strip()}', line {start + 2})"
    return Problem(
        path,
        start + 2 if start is not None else keys[-1] + 3,
        None,
        "the front matter that '---' opens on line 1 has no closing '---' line. Fix: add a "
        f"'---' line {where}.",
    )


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


def value_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The node of ``key``'s value in a mapping node (for the raw text of a date)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for name, value in node.value if name.value == key), None)
