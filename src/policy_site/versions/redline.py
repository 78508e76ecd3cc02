"""Redlines: word-level insertions and deletions between two rendered versions, by section.

The texts are aligned block by block first (paragraphs, headings, list items), so that an unchanged
block is copied as it is and only a changed block is compared word by word, by lxml's htmldiff
(which keeps inline markup and marks a rewritten passage whole rather than as a patchwork of
matched "you" and "on"). A block with no counterpart is marked inserted or deleted whole, in its
place.

A change reads as a legal redline does, the deleted text before the text that replaces it
(``~~13.~~ 16.``): htmldiff writes the insertion first, and ``_deletions_first`` turns it round.
"""

from __future__ import annotations

import functools
import hashlib
import html as html_lib
from copy import deepcopy
from dataclasses import dataclass
from difflib import SequenceMatcher

import lxml.html
from lxml.html import HtmlElement
from lxml.html.diff import htmldiff

__all__ = ["Redline", "make_redline", "rendered_text", "rendered_text_sha256"]

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
#: Elements compared as one unit: they hold text and inline markup, no other block.
_LEAVES = _HEADINGS | {"p", "li", "dt", "dd", "td", "th", "pre", "figcaption", "caption"}
_CONTAINERS = {"ul", "ol", "dl", "table", "thead", "tbody", "tr", "blockquote", "div", "details"}
#: Blocks at least this alike (0..1, by words) are compared word by word; below, replaced whole.
_ALIKE = 0.4


@dataclass(frozen=True)
class Redline:
    #: The newer version's HTML with ``<ins>`` and ``<del>`` marking what changed.
    html: str
    #: (anchor, heading text) of each section holding a change, in document order.
    sections: tuple[tuple[str, str], ...]
    insertions: int
    deletions: int


def _fragment(html: str) -> HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def _leaves(root: HtmlElement) -> list[HtmlElement]:
    """The blocks to align, in document order: leaf blocks, and any other top-level element."""
    found: list[HtmlElement] = []
    for child in root.iterchildren():
        if not isinstance(child.tag, str):
            continue
        nested = any(grandchild.tag in _LEAVES | _CONTAINERS for grandchild in child)
        if (child.tag in _CONTAINERS and child.tag != "div") or (child.tag == "div" and nested):
            found += _leaves(child)
        else:
            found.append(child)
    return found


def _inner(element: HtmlElement) -> str:
    text = html_lib.escape(element.text or "", quote=False)
    return text + "".join(
        lxml.html.tostring(child, encoding="unicode", with_tail=True) for child in element
    )


def _key(element: HtmlElement) -> str:
    return f"{element.tag}:{_inner(element)}"


def _words(element: HtmlElement) -> list[str]:
    text: str = element.text_content()
    return text.split()


def _set_inner(element: HtmlElement, inner_html: str) -> None:
    replacement = _fragment(inner_html)
    for child in list(element):
        element.remove(child)
    element.text = replacement.text
    for child in list(replacement):
        element.append(child)


def _wrap(element: HtmlElement, tag: str) -> HtmlElement:
    """A copy of ``element`` whose whole content is marked ``tag`` (ins or del)."""
    copy = deepcopy(element)
    copy.tail = None
    if element.text_content().strip():
        _set_inner(copy, f"<{tag}>{_inner(element)}</{tag}>")
    return copy


def _deletions_first(root: HtmlElement) -> None:
    """Each ``<del>`` that follows the ``<ins>`` of its passage (htmldiff writes a replaced
    passage as ``<ins>new</ins> <del>old</del>``) moved before it, and before the insertions
    right ahead of that one (htmldiff splits an insertion around markup it leaves unmarked)."""
    for deleted in list(root.iter("del")):
        first = deleted
        while (
            (ahead := first.getprevious()) is not None
            and ahead.tag == "ins"
            and not (ahead.tail or "").strip()
        ):
            first = ahead
        if first is deleted:
            continue
        last = deleted.getprevious()
        assert last is not None, "first is an element before it"
        last.tail, deleted.tail = deleted.tail, last.tail
        first.addprevious(deleted)  # moves it, and its tail, the space that followed the insertion


def _diff_leaf(old: HtmlElement, new: HtmlElement) -> HtmlElement:
    result = deepcopy(new)
    result.tail = None
    _set_inner(result, htmldiff(_inner(old), _inner(new)))
    _deletions_first(result)
    return result


def _similarity(old: HtmlElement, new: HtmlElement) -> float:
    if old.tag != new.tag:
        return 0.0
    return SequenceMatcher(None, _words(old), _words(new), autojunk=False).ratio()


def _diff_region(
    old: list[HtmlElement], new: list[HtmlElement]
) -> list[tuple[HtmlElement, HtmlElement | None]]:
    """Marked blocks for a changed region, each with the new block it stands for (None: a deleted
    block, shown before the next new one). Deleted blocks come before the blocks inserted in
    their place."""
    if len(old) == len(new) and all(o.tag == n.tag for o, n in zip(old, new, strict=True)):
        return [(_diff_leaf(o, n), n) for o, n in zip(old, new, strict=True)]  # edited in place
    out: list[tuple[HtmlElement, HtmlElement | None]] = []
    inserted: list[tuple[HtmlElement, HtmlElement | None]] = []
    start = 0
    for new_block in new:
        candidates = range(start, len(old))
        match = next((i for i in candidates if _similarity(old[i], new_block) >= _ALIKE), None)
        if match is None:
            inserted.append((_wrap(new_block, "ins"), new_block))
            continue
        out += [(_wrap(block, "del"), None) for block in old[start:match]] + inserted
        out.append((_diff_leaf(old[match], new_block), new_block))
        inserted, start = [], match + 1
    return out + [(_wrap(block, "del"), None) for block in old[start:]] + inserted


def _place_deleted(deleted: HtmlElement, anchor: HtmlElement | None, root: HtmlElement) -> None:
    """Put a deleted block where it stood: before ``anchor`` (the next new block), else at the end.
    A list item goes into a list, and anything else goes outside one."""
    deleted.tail = None
    if anchor is not None and anchor.tag == "li" and deleted.tag != "li":
        anchor = anchor.getparent()
    if deleted.tag == "li" and (anchor is None or anchor.tag != "li"):
        wrapper = lxml.html.Element("ul")
        wrapper.append(deleted)
        deleted = wrapper
    if anchor is None:
        root.append(deleted)
    else:
        anchor.addprevious(deleted)


#: Block keys of the texts compared last: in a build, each version is the new text of one redline
#: and the old text of the next, so its keys are computed once.
_KEYS: dict[str, list[str]] = {}


def _keys(html: str, leaves: list[HtmlElement]) -> list[str]:
    if html not in _KEYS:
        if len(_KEYS) > 4:
            _KEYS.clear()
        _KEYS[html] = [_key(leaf) for leaf in leaves]
    return _KEYS[html]


def _mark(old_html: str, new_html: str) -> HtmlElement:
    new_root = _fragment(new_html)
    old_leaves, new_leaves = _leaves(_fragment(old_html)), _leaves(new_root)
    matcher = SequenceMatcher(
        None, _keys(old_html, old_leaves), _keys(new_html, new_leaves), autojunk=False
    )
    marked: dict[int, HtmlElement] = {}
    deleted_before: dict[int, list[HtmlElement]] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pending: list[HtmlElement] = []
        for block, stands_for in _diff_region(old_leaves[i1:i2], new_leaves[j1:j2]):
            if stands_for is None:
                pending.append(block)
                continue
            index = new_leaves.index(stands_for, j1, j2)
            marked[index] = block
            deleted_before.setdefault(index, []).extend(pending)
            pending = []
        deleted_before.setdefault(j2, []).extend(pending)
    for index, leaf in enumerate(new_leaves):
        for block in deleted_before.get(index, []):
            _place_deleted(block, leaf, new_root)
        if index in marked:
            marked[index].tail = leaf.tail
            parent = leaf.getparent()
            assert parent is not None
            parent.replace(leaf, marked[index])
    for block in deleted_before.get(len(new_leaves), []):
        _place_deleted(block, None, new_root)
    return new_root


@functools.lru_cache(maxsize=1024)
def make_redline(old_html: str, new_html: str, demote: int = 1) -> Redline:
    """Compare two rendered versions word by word, keeping headings and lists as they are.

    Headings move ``demote`` levels down, so that the redline fits under its page's own title.
    Remembered by the two texts: ``mkdocs serve`` rebuilds the site on every edit, and an edit to
    one version changes at most the two redlines that compare it.
    """
    marked = _mark(old_html, new_html)
    for element in marked.iter(*_HEADINGS):
        element.tag = f"h{min(int(element.tag[1]) + demote, 6)}"
    for element in list(marked.iter("ins", "del")):
        if not element.text_content().strip():
            element.drop_tag()  # white space alone is no change a reader can see
    sections: list[tuple[str, str]] = []
    heading: HtmlElement | None = None
    counts = {"ins": 0, "del": 0}
    section: tuple[str, str] | None = None  # the heading's (anchor, title), read once per heading
    for element in marked.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in _HEADINGS:
            heading, section = element, None
        elif element.tag in counts:
            counts[element.tag] += 1
            if section is None:
                anchor = heading.get("id", "") if heading is not None else ""
                title = _without_permalinks(heading) if heading is not None else "Introduction"
                section = (anchor, title)
            if section not in sections:
                sections.append(section)
    return Redline(_inner(marked), tuple(sections), counts["ins"], counts["del"])


def _without_permalinks(element: HtmlElement, *, copy_first: bool = True) -> str:
    """The element's text without the theme's section links (the pilcrows). The element is left
    as it is, unless ``copy_first`` is false (a tree of the caller's own, parsed for this)."""
    copy = element
    if copy_first:
        copy = lxml.html.fragment_fromstring(lxml.html.tostring(element), create_parent="div")
    for link in list(copy.iter("a")):
        if "headerlink" in (link.get("class") or "").split():
            link.drop_tree()
    for block in copy.iter(*_LEAVES, *_CONTAINERS):
        block.tail = " " + (block.tail or "")
    return " ".join(copy.text_content().split())


def rendered_text(html: str) -> str:
    """The words a reader sees, whitespace folded: what the rendered-text hash covers."""
    return _without_permalinks(_fragment(html), copy_first=False)


@functools.lru_cache(maxsize=4096)
def rendered_text_sha256(html: str) -> str:
    """The hash versions.json gives a version's text; remembered, since its page prints it too."""
    return hashlib.sha256(rendered_text(html).encode("utf-8")).hexdigest()
