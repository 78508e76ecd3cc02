"""Reading consent.yml key by key: each problem a Problem on the line of its key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from policy_site.problems import Problem

__all__ = ["Checker", "key_lines"]


def key_lines(node: yaml.Node | None, prefix: str = "") -> dict[str, int]:
    """The line of every key in the YAML tree, by its dotted name (``categories.x.cookies[1]``)."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            lines[key] = key_node.start_mark.line + 1
            lines |= key_lines(value, key)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            key = f"{prefix}[{index}]"
            lines[key] = item.start_mark.line + 1
            lines |= key_lines(item, key)
    return lines


class Checker:
    def __init__(self, path: Path, lines: dict[str, int] | None = None) -> None:
        self.path = path
        self.lines = lines or {}
        self.problems: list[Problem] = []
        #: The site's languages: the keys of ``texts``, read first.
        self.languages: tuple[str, ...] = ()

    def line(self, key: str) -> int:
        """The line of ``key``, or of the nearest key above it that the file has."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[: max(key.rfind("."), key.rfind("["), 0)]
        return 1

    def fail(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.line(key), key, message))

    def mapping(
        self, value: Any, key: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, "must be a mapping of 'key: value' lines.")
            return {}
        for name in value:
            if name not in allowed:
                self.fail(f"{key}.{name}", f"unknown key; the keys here are: {', '.join(allowed)}.")
        for name in required:
            if name not in value:
                self.fail(f"{key}.{name}", "is missing: add it.")
        return value

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
