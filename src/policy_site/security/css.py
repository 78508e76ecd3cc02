"""The URLs a stylesheet or a ``style`` attribute makes the browser fetch, read as a browser's CSS
tokenizer reads them (CSS Syntax Level 3), not by a pattern over the raw text.

Comments are dropped where the tokenizer drops them (not inside a string), and escapes are undone
in names, strings and URLs (``\\`` with 1-6 hex digits and one optional whitespace, or any other
character), so ``url(https\\3a //x)``, ``\\75 rl(...)`` and ``@import/**/"..."`` are read as the
browser reads them, and ``url(/**/x)`` as the same-site path it is. What is a URL: every
``url(...)`` (quoted or not, and ``src("...")``), every string directly inside ``image-set(...)`` or
``-webkit-image-set(...)``, and the string or URL after ``@import``. Failing closed: an unfinished
string or URL still counts. Pure functions.
"""

from __future__ import annotations

import re

__all__ = ["css_urls"]

_HEX = "0123456789abcdefABCDEF"
_WHITESPACE = " \t\n"
_NEWLINES = re.compile(r"\r\n|[\r\f]")
#: Functions whose string arguments are URLs.
_URL_FUNCTIONS = {"url", "src"}
_IMAGE_SETS = {"image-set", "-webkit-image-set"}


def css_urls(css: str) -> list[str]:
    """Every URL ``css`` (a stylesheet or a declaration list) makes the browser fetch."""
    urls: list[str] = []
    functions: list[str] = []  # the open functions and parentheses ("" for a plain one)
    after_import = False
    for kind, value in _tokens(css):
        if kind == "ws":
            continue
        in_url_function = bool(functions) and functions[-1] in _URL_FUNCTIONS | _IMAGE_SETS
        if kind == "url" or (kind == "string" and (after_import or in_url_function)):
            urls.append(value)
        after_import = kind == "at" and value.lower() == "import"
        if kind == "function":
            functions.append(value.lower())
        elif kind == "(":
            functions.append("")
        elif kind == ")" and functions:
            functions.pop()
    return urls


def _tokens(css: str) -> list[tuple[str, str]]:
    """The tokens of ``css`` that matter here: ``ws``, ``string``, ``url``, ``function``, ``at``,
    ``ident``, ``(`` and ``)``; every other character is a token of its own kind."""
    text = _NEWLINES.sub("\n", css).replace("\0", "\ufffd")
    tokens: list[tuple[str, str]] = []
    position, end = 0, len(text)
    while position < end:
        char = text[position]
        if text.startswith("/*", position):
            close = text.find("*/", position + 2)
            position = end if close < 0 else close + 2
        elif char in _WHITESPACE:
            while position < end and text[position] in _WHITESPACE:
                position += 1
            tokens.append(("ws", " "))
        elif char in "\"'":
            value, position = _string(text, position + 1, char)
            tokens.append(("string", value))
        elif char == "@" and _starts_name(text, position + 1):
            name, position = _name(text, position + 1)
            tokens.append(("at", name))
        elif _starts_name(text, position):
            name, position = _name(text, position)
            if position < end and text[position] == "(":
                position += 1
                if name.lower() == "url":
                    while position < end and text[position] in _WHITESPACE:
                        position += 1
                    if position >= end or text[position] not in "\"'":
                        value, position = _url(text, position)
                        tokens.append(("url", value))
                        continue
                tokens.append(("function", name))
            else:
                tokens.append(("ident", name))
        else:
            tokens.append((char, char))
            position += 1
    return tokens


def _starts_name(text: str, position: int) -> bool:
    """Whether a name (or an escape, which starts one) begins at ``position``."""
    if position >= len(text):
        return False
    char = text[position]
    return char.isalnum() or char in "_-" or ord(char) >= 0x80 or _escape_at(text, position)


def _escape_at(text: str, position: int) -> bool:
    return text.startswith("\\", position) and text[position + 1 : position + 2] not in ("", "\n")


def _escape(text: str, position: int) -> tuple[str, int]:
    """The character an escape (its ``\\`` at ``position``) stands for, and where it ends."""
    position += 1
    digits = ""
    while position < len(text) and len(digits) < 6 and text[position] in _HEX:
        digits += text[position]
        position += 1
    if not digits:
        return (text[position] if position < len(text) else "\ufffd"), position + 1
    if position < len(text) and text[position] in _WHITESPACE:
        position += 1
    code = int(digits, 16)
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return "\ufffd", position
    return chr(code), position


def _name(text: str, position: int) -> tuple[str, int]:
    name = ""
    while position < len(text):
        char = text[position]
        if _escape_at(text, position):
            char, position = _escape(text, position)
            name += char
        elif char.isalnum() or char in "_-" or ord(char) >= 0x80:
            name += char
            position += 1
        else:
            break
    return name, position


def _string(text: str, position: int, quote: str) -> tuple[str, int]:
    """A string's value (its opening quote just before ``position``) and where it ends; a newline
    ends a bad string, which still counts (failing closed)."""
    value = ""
    while position < len(text):
        char = text[position]
        if char == quote:
            return value, position + 1
        if char == "\n":
            return value, position
        if char == "\\":
            if text[position + 1 : position + 2] == "\n":
                position += 2
                continue
            if position + 1 >= len(text):
                return value, position + 1
        char, position = _char(text, position)
        value += char
    return value, position


def _url(text: str, position: int) -> tuple[str, int]:
    """An unquoted ``url(`` token's value and where it ends (after its ``)``); whitespace ends the
    value, and anything else before the ``)`` makes it a bad URL that still counts."""
    value = ""
    while position < len(text):
        char = text[position]
        if char == ")":
            return value, position + 1
        if char in _WHITESPACE:
            close = text.find(")", position)
            return value, len(text) if close < 0 else close + 1
        char, position = _char(text, position)
        value += char
    return value, position


def _char(text: str, position: int) -> tuple[str, int]:
    """The character at ``position``, an escape undone, and where the next one starts."""
    if _escape_at(text, position):
        return _escape(text, position)
    return text[position], position + 1
