"""The URLs a stylesheet or a ``style`` attribute makes the browser fetch, read as a browser's CSS
tokenizer reads them (CSS Syntax Level 3, by tinycss2), not by a pattern over the raw text.

Comments are dropped where the tokenizer drops them (not inside a string), and escapes are undone,
so ``url(https\\3a //x)``, ``\\75 rl(...)`` and ``@import/**/"..."`` are read as the browser reads
them, and ``url(/**/x)`` as the same-site path it is. What is a URL: every ``url(...)`` (quoted or
not, and ``src("...")``), every string directly inside ``image-set(...)`` or
``-webkit-image-set(...)``, and the string or URL after ``@import``. Failing closed: an unfinished
string or URL still counts. Pure functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import tinycss2

__all__ = ["css_urls"]

#: Functions whose string arguments are URLs: the URL functions and the image sets.
_URL_ARGUMENTS = {"url", "src", "image-set", "-webkit-image-set"}
_BLOCKS = {"() block", "[] block", "{} block"}


def css_urls(css: str) -> list[str]:
    """Every URL ``css`` (a stylesheet or a declaration list) makes the browser fetch."""
    urls: list[str] = []
    _walk(tinycss2.parse_component_value_list(css), None, urls)
    return urls


def _walk(tokens: Iterable[Any], function: str | None, urls: list[str]) -> None:
    """Adds the URLs of ``tokens`` (the arguments of ``function``, or a block's content)."""
    after_import = False
    for token in tokens:
        if token.type in ("whitespace", "comment"):
            continue
        if token.type == "url" or (
            token.type == "string" and (after_import or function in _URL_ARGUMENTS)
        ):
            urls.append(token.value)
        elif token.type == "function":
            _walk(token.arguments, token.lower_name, urls)
        elif token.type in _BLOCKS:
            _walk(token.content, None, urls)
        after_import = token.type == "at-keyword" and token.lower_value == "import"
