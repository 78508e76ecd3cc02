"""Section links that keep working: every heading anchor a published version had resolves in each
later one, to the section that holds its text now or to a note that the section was removed.

A later version that no longer has an anchor maps it in its front matter (``anchors: {old: new}``,
or ``{old: null}`` for a section removed); the pages then carry an element with the old id. Pure
functions over rendered HTML: the generator adapter gives each version's page content.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from policy_site.versions.model import PolicyVersion, Problem

__all__ = [
    "Anchors",
    "Removed",
    "check_anchors",
    "heading_anchors",
    "policy_anchors",
    "with_old_anchors",
]

_HEADING = re.compile(
    r"<h([1-6])\b(?P<attrs>[^>]*)>(?P<inner>.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL
)
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
#: The theme's permalink after a heading's text (toc's ``permalink``): not part of the title.
_PERMALINK = re.compile(r"<a\b[^>]*\bclass=\"headerlink\"[^>]*>.*?</a>", re.DOTALL)


@dataclass(frozen=True)
class Removed:
    """A section an earlier version had and a later one removed: its links go to the redline."""

    title: str
    #: The version that removed it (its redline shows the removed text).
    version_id: str


@dataclass(frozen=True)
class Anchors:
    """One version's anchors: its headings', and the old ones it answers for."""

    #: Heading id -> heading text, in the order of the page.
    headings: dict[str, str]
    #: An earlier version's anchor -> the heading of this version that holds its text now.
    aliases: dict[str, str] = field(default_factory=dict)
    removed: dict[str, Removed] = field(default_factory=dict)


def heading_anchors(content: str) -> dict[str, str]:
    """Heading id -> heading text of rendered page content, in order."""
    found: dict[str, str] = {}
    for match in _HEADING.finditer(content):
        attribute = _ID.search(match.group("attrs"))
        if attribute is None:
            continue
        anchor = html_lib.unescape(next(part for part in attribute.groups() if part is not None))
        inner = _TAG.sub("", _PERMALINK.sub("", match.group("inner")))
        found.setdefault(anchor, " ".join(html_lib.unescape(inner).split()))
    return found


def check_anchors(
    chain: Sequence[tuple[PolicyVersion, str]],
) -> tuple[dict[str, Anchors], list[Problem]]:
    """The anchors of each version of ``chain`` (the versions that apply one after another, oldest
    first, each with its rendered content), and the problems: an anchor of an earlier version that
    a later one neither has nor maps, or a mapping that does not hold."""
    result: dict[str, Anchors] = {}
    problems: list[Problem] = []
    before: PolicyVersion | None = None
    for version, content in chain:
        headings = heading_anchors(content)
        if before is None:
            result[version.id] = Anchors(headings)
        else:
            anchors, found = _follow(before, result[before.id], version, headings)
            result[version.id] = anchors
            problems += found
        before = version
    return result, problems


def _follow(
    before: PolicyVersion, known: Anchors, version: PolicyVersion, headings: dict[str, str]
) -> tuple[Anchors, list[Problem]]:
    """``version``'s anchors, given those of the version before it."""
    problems: list[Problem] = []
    mapping = version.anchors

    def fail(message: str) -> None:
        problems.append(Problem(version.path, version.line("anchors"), "anchors", message))

    titles = {**known.headings, **{old: known.headings[new] for old, new in known.aliases.items()}}
    for old in mapping:
        if old in headings:
            fail(f"'{old}' is a heading of this version: delete it from 'anchors'.")
        elif old not in titles and old not in known.removed:
            listed = ", ".join(sorted(titles)) or "none"
            fail(f"'{old}' is not an anchor of version {before.id} (its anchors: {listed}).")
    new_headings = [anchor for anchor in headings if anchor not in titles]
    aliases: dict[str, str] = {}
    removed = {old: gone for old, gone in known.removed.items() if old not in headings}
    for old in [*titles, *(old for old in removed if old in mapping)]:
        if old in headings:
            continue
        # An old anchor that answered for a section follows that section.
        via = known.aliases.get(old)
        key = old if old in mapping or via is None else via
        if key not in mapping:
            if via is not None and via not in headings:
                continue  # the section it answered for is gone: that anchor's problem says so
            if via is not None:
                aliases[old] = via
                continue
            fail(_unmapped(before, version, old, titles[old], new_headings))
            continue
        target = mapping[key]
        if target is None:
            removed.setdefault(old, Removed(titles.get(old, ""), version.id))
        elif target in headings:
            aliases[old] = target
            removed.pop(old, None)
        else:
            listed = ", ".join(headings) or "none"
            fail(f"'{key}' maps to '{target}', which is not a heading of this version ({listed}).")
    return Anchors(headings, aliases, removed), problems


def _unmapped(
    before: PolicyVersion, version: PolicyVersion, old: str, title: str, candidates: list[str]
) -> str:
    hint = f" (its new headings: {', '.join(candidates)})" if candidates else ""
    return (
        f"the section link #{old} ('{title}', of version {before.id}) has no heading in version "
        f"{version.id}, so links to it would land at the top of the page. In the front matter, "
        f"map it to the section that holds its text now, 'anchors: {{{old}: new-anchor}}'{hint}, "
        f"or mark the section removed, 'anchors: {{{old}: null}}', which sends its links to the "
        "redline."
    )


def with_old_anchors(
    content: str, anchors: Anchors, removed_note: Callable[[str, Removed], str]
) -> str:
    """``content`` with an element for each old anchor: an empty one at the start of the heading
    that holds its text now, and for a section removed, ``removed_note(anchor, removed)`` (HTML
    whose element has that id) at the start of the page."""
    by_target: dict[str, list[str]] = {}
    for old, target in anchors.aliases.items():
        by_target.setdefault(target, []).append(old)

    def heading(match: re.Match[str]) -> str:
        attribute = _ID.search(match.group("attrs"))
        if attribute is None:
            return match.group(0)
        anchor = html_lib.unescape(next(part for part in attribute.groups() if part is not None))
        spans = "".join(
            f'<span id="{html_lib.escape(old)}" class="policy-old-anchor"></span>'
            for old in by_target.pop(anchor, [])
        )
        start = match.start("inner") - match.start()
        return match.group(0)[:start] + spans + match.group(0)[start:]

    content = _HEADING.sub(heading, content) if by_target else content
    notes = "".join(removed_note(old, gone) for old, gone in anchors.removed.items())
    return notes + content


def policy_anchors(
    timelines: Mapping[str, Sequence[tuple[PolicyVersion, str]]],
) -> tuple[dict[str, dict[str, Anchors]], list[Problem]]:
    """``check_anchors`` for each language's chain of versions that applied (withdrawn ones
    left out), each version with its rendered content: the anchors by language, and every
    problem."""
    anchors: dict[str, dict[str, Anchors]] = {}
    problems: list[Problem] = []
    for code, chain in timelines.items():
        anchors[code], found = check_anchors(chain)
        problems += found
    return anchors, problems
