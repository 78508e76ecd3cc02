"""Reading consent.yml key by key: each problem a Problem on the line of its key. A slip that
misplaces keys (a misspelt key, a key or a block indented wrongly) is said once, as what to fix,
without the problems that only follow from it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from policy_site.problems import Problem, near
from policy_site.yaml_slips import duplicate_keys, twice

__all__ = ["Checker", "Place", "places"]

#: How the checker names the file's top-level mapping (its keys are named without it).
TOP = "(top)"


@dataclass(frozen=True)
class Place:
    """Where a key is: its line, its column, whether nothing is written after its ':', and the
    key after it in the same mapping."""

    line: int
    column: int
    empty: bool = False
    next: str | None = None


def places(node: yaml.Node | None, prefix: str = "") -> dict[str, Place]:
    """Where every key of the YAML tree is, by its dotted name (``categories.x.cookies[1]``)."""
    found: dict[str, Place] = {}
    if isinstance(node, yaml.MappingNode):
        keys = [f"{prefix}.{name.value}" if prefix else str(name.value) for name, _ in node.value]
        for index, (key_node, value) in enumerate(node.value):
            mark, key = key_node.start_mark, keys[index]
            empty = isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null") and (
                value.start_mark.index == value.end_mark.index
            )  # fmt: skip
            after = keys[index + 1] if index + 1 < len(keys) else None
            found[key] = Place(mark.line + 1, mark.column, empty, after)
            found |= places(value, key)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            key = f"{prefix}[{index}]"
            found[key] = Place(item.start_mark.line + 1, item.start_mark.column)
            found |= places(item, key)
    return found


def _plain(key: str) -> str:
    return key.removeprefix(f"{TOP}.")


def _named(mapping: str) -> str:
    return "the top level" if mapping == TOP else f"'{mapping}'"


def _under(key: str, root: str) -> bool:
    """Whether ``key`` is ``root`` or a key inside it."""
    key, root = _plain(key), _plain(root)
    return key == root or key.startswith((f"{root}.", f"{root}["))


class Checker:
    def __init__(self, path: Path, tree: yaml.Node | None = None) -> None:
        self.path = path
        self.places = places(tree)
        self.problems: list[Problem] = []
        #: The site's languages: the keys of ``texts``, read first.
        self.languages: tuple[str, ...] = ()
        #: The keys each mapping takes, by the mapping's name; the keys said to be unknown, and
        #: to be missing; and the keys nothing more is said of (a misspelt one, one that is not a
        #: mapping, said so).
        self.takes: dict[str, tuple[str, ...]] = {}
        self.unknown: list[str] = []
        self.missing: list[str] = []
        self.silenced: list[str] = []
        for key, first, again in duplicate_keys(tree):
            self.fail(key, twice(first, again))

    def line(self, key: str) -> int:
        """The line of ``key``, or of the nearest key above it that the file has."""
        key = _plain(key)
        while key:
            if key in self.places:
                return self.places[key].line
            key = key[: max(key.rfind("."), key.rfind("["), 0)]
        return 1

    def fail(self, key: str, message: str) -> None:
        if not any(_under(key, silenced) for silenced in self.silenced):
            self.problems.append(Problem(self.path, self.line(key), key, message))

    def mapping(
        self, value: Any, key: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        self.takes[_plain(key)] = allowed
        if not isinstance(value, dict):
            self.fail(key, "must be a mapping of 'key: value' lines.")
            self.silenced.append(key)  # and nothing of what it lacks
            return {}
        for name in value:
            if name not in allowed:
                meant = near(name, allowed)
                said = f"did you mean '{meant}'? " if meant else ""
                self.fail(f"{key}.{name}", f"unknown key; {said}the keys here are: "
                          f"{', '.join(allowed)}.")  # fmt: skip
                self.unknown.append(f"{key}.{name}")
                if meant in required and meant not in value:
                    self.silenced.append(f"{key}.{meant}")  # missing only as it is misspelt
        for name in required:
            if name not in value:
                self.fail(f"{key}.{name}", "is missing: add it.")
                self.missing.append(f"{key}.{name}")
        return value

    def report(self) -> list[Problem]:
        """The problems to tell: a block not indented under its key is the one thing to fix, and
        a key indented under the wrong mapping is said as such, not as missing where it belongs."""
        blocks = [problem for key in self.places if (problem := self._unindented(key))]
        if blocks:
            return blocks
        problems = self.problems
        for key in self.unknown:
            parent, _, name = key.rpartition(".")
            home = next((m for m in self.missing if m.rpartition(".")[2] == name), None)
            if home is None:
                continue
            owner = home.rpartition(".")[0]
            inside = "" if owner == TOP else f"{owner}."
            column = next((place.column for other, place in self.places.items()
                           if other.startswith(inside)
                           and not re.search(r"[.\[]", other[len(inside):])), None)  # fmt: skip
            spaces = f" ({column} spaces)" if column is not None else ""
            moved = Problem(self.path, self.line(key), key,
                            f"is indented as a key of {_named(parent)}, but '{name}' belongs to "
                            f"{_named(owner)}: indent it as the keys of {_named(owner)} "
                            f"are{spaces}.")  # fmt: skip
            problems = [moved if p.key == key else p for p in problems
                        if not _under(p.key or "", home)]  # fmt: skip
        return problems

    def _unindented(self, key: str) -> Problem | None:
        """The problem of ``key``, written with nothing after its ':', when the lines that belong
        under it are not indented under it: the key after it is one it would take, or both have
        problems."""
        place = self.places[key]
        after = self.places.get(place.next or "")
        if not place.empty or place.next is None or after is None or after.line == place.line:
            return None
        name = place.next.rsplit(".", 1)[-1]
        taken = name in self.takes.get(key, ())
        wrong = [p.key or "" for p in self.problems]
        if not taken and not (
            key in map(_plain, wrong) and any(_under(k, place.next) for k in wrong)
        ):
            return None
        return Problem(self.path, place.line, key,
                       f"has nothing under it, and the next line with a key, '{name}:' (line "
                       f"{after.line}), is at its indentation, so it does not belong to it. Fix: "
                       f"indent the lines that belong to '{key.rsplit('.', 1)[-1]}' by two spaces "
                       "more than it.")  # fmt: skip

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "must be non-empty text.")
            return ""
        return value.strip()

    def in_languages(self, value: Any, key: str) -> dict[str, str]:
        """A text in each of the site's languages."""
        found = self.mapping(value, key, self.languages, self.languages)
        return {
            lang: self.text(found.get(lang), f"{key}.{lang}")
            for lang in self.languages
            if lang in found
        }

    def items(self, value: Any, key: str, make: Callable[[Any, str], Any]) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(key, "must be a list.")
            return []
        return [make(item, f"{key}[{index}]") for index, item in enumerate(value)]
