"""What a slip in hand-written YAML most likely was, read from the text around where the parser
stopped: the line that holds the slip (often above the one where the parser gave up), in plain
words, and its fix. A tab, a key without its ':', a quote left open or closed too soon, a line
indented as if it went on the value above it; the parser's own words, with the usual fix, when it
is none of these. Also the keys given twice, which the parser does not refuse but silently keeps
the last of. problems.yaml_problem says a slip as a Problem."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

__all__ = ["Slip", "duplicate_keys", "explain", "keyless", "twice", "yaml_lines"]

#: YAML's line breaks, which its marks count lines by.
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
#: A block line: its indentation, any '- ' of list items, and its key up to the ':' after it.
_LINE = re.compile(
    r"(?P<indent> *)(?P<dash>(?:-[ \t]+)*)"
    r"(?:(?P<key>'[^']*'|\"[^\"]*\"|[^\s'\"#,\[\]{}&*!|>%@`-][^#]*?):(?:[ \t]+|$))?"
    r"(?P<value>.*)"
)
#: What may follow a closing quote on its line: nothing, a comment, or what ends a key or a flow.
_AFTER_QUOTE = re.compile(r"[ \t]*(?:$|#|[,:}\]])")
#: The usual fix for what the YAML parser says, by the words it says it with.
_FIXES = (
    ("mapping values are not allowed", "a value that holds ': ' must be quoted: "
     "title: 'Privacy Policy: 2027'"),
    ("tab character", "indent with spaces, not tabs"),
    ("found character '\\t'", "indent with spaces, not tabs"),
    ("could not find expected ':'", "each line is 'key: value'; a value that goes on over "
     "several lines must be quoted or start with '>'"),
    ("found undefined alias", "a value that starts with '*' must be quoted"),
    ("expected <block end>", "keep every key at the start of its line, and quote a value that "
     "starts with a quote but goes on after it"),
)  # fmt: skip
_FIX = "quote a value that holds ': ', ' #' or starts with one of [ { & * ! | > ' \" % @"


@dataclass(frozen=True)
class Slip:
    """Where the slip is (a line of the YAML text, from 0), what it is, and how to fix it."""

    line: int
    said: str
    fix: str


def yaml_lines(text: str) -> list[str]:
    """``text``'s lines as YAML's marks number them."""
    return _BREAK.split(text)


def explain(err: yaml.YAMLError, text: str | None = None) -> Slip:
    """The slip behind ``err`` (raised reading ``text``): the likeliest one ``text`` shows, or
    the parser's words without its own positions, and the usual fix."""
    mark = getattr(err, "problem_mark", None)
    said = _words(err) or str(err)
    if text is not None and mark is not None:
        lines = yaml_lines(text)
        for find in (_tab, _quote, _colon):
            slip = find(err, lines, mark)
            if slip is not None:
                return slip
    fix = next((fix for words, fix in _FIXES if words in said), _FIX)
    return Slip(mark.line if mark is not None else 0, said, fix)


def _words(err: yaml.YAMLError) -> str:
    """What the parser says is wrong, without where (its marks quote the text)."""
    parts = (getattr(err, "context", None), getattr(err, "problem", None))
    return " ".join(str(part) for part in parts if part)


def _tab(err: yaml.YAMLError, lines: list[str], mark: yaml.Mark) -> Slip | None:
    """A tab where YAML takes none: where the parser stopped, or the first one above it."""
    row = lines[mark.line] if mark.line < len(lines) else ""
    if row[mark.column : mark.column + 1] == "\t":
        line, column = mark.line, mark.column
    elif "tab" in _words(err) or "'\\t'" in _words(err):
        line = next((n for n in range(mark.line + 1) if "\t" in lines[n]), mark.line)
        column = max(lines[line].find("\t"), 0)
    else:
        return None
    return Slip(
        line,
        f"a tab at column {column + 1}",
        "replace the tab with spaces (YAML indents with spaces, never tabs)",
    )


def _quote(err: yaml.YAMLError, lines: list[str], mark: yaml.Mark) -> Slip | None:
    """A quote that a value opens and no line closes, or that closes before the value ends."""
    context = getattr(err, "context_mark", None)
    if str(getattr(err, "context", "")).startswith("while scanning a quoted scalar") and context:
        found: tuple[int, int, bool] | None = (context.line, context.column, False)
    else:
        found = next(_bad_quotes(lines), None)
    if found is None or found[0] > mark.line:
        return None
    line, column, closed = found
    quote = lines[line][column]
    inside = "''" if quote == "'" else '\\"'
    key = _LINE.match(lines[line])
    whose = f"the value of '{key['key']}'" if key and key["key"] else "a value"
    if closed:
        return Slip(
            line,
            f"{whose} starts with a quote ({quote}) that closes before the value ends",
            f"put the closing {quote} at the end of the value, and write a {quote} inside it "
            f"as {inside}",
        )
    return Slip(
        line,
        f"{whose} opens a quote ({quote}) here that is not closed",
        f"close it: end the value with {quote} (a {quote} inside it is written {inside})",
    )


def _bad_quotes(lines: list[str]) -> Iterator[tuple[int, int, bool]]:
    """The first quote that opens a value and is not closed on its line, with more after where
    it closes, (line, column, False); or closed on it with more of the value after it (line,
    column, True)."""
    line = column = 0
    start = True  # at the start of a value, where a quote opens a quoted one
    while line < len(lines):
        row = lines[line]
        if column >= len(row):
            line, column, start = line + 1, 0, True
            continue
        char = row[column]
        if char == "#" and (column == 0 or row[column - 1] in " \t"):
            column = len(row)  # a comment
        elif char in "'\"" and start:
            end = _closing(lines, line, column + 1, char)
            if end is None:
                yield line, column, False
                return
            if not _AFTER_QUOTE.match(lines[end[0]], end[1] + 1):
                yield line, column, end[0] == line  # closed on a later line: left open here
                return
            line, column, start = end[0], end[1] + 1, False
        else:
            after = row[column + 1 : column + 2]
            if char not in " \t":
                start = char in "[{," or (char in ":-?" and after in ("", " ", "\t"))
            column += 1


def _closing(lines: list[str], line: int, column: int, quote: str) -> tuple[int, int] | None:
    """Where the quote opened before (``line``, ``column``) closes, or None."""
    while line < len(lines):
        row = lines[line]
        while column < len(row):
            escaped = row[column] == "\\" if quote == '"' else row[column : column + 2] == "''"
            if escaped:
                column += 2  # an escape in "...", or '' (a ' in '...')
            elif row[column] == quote:
                return line, column
            else:
                column += 1
        line, column = line + 1, 0
    return None


def _colon(err: yaml.YAMLError, lines: list[str], mark: yaml.Mark) -> Slip | None:
    """A key without its ':', or a line indented as if it went on the value above it."""
    said = _words(err)
    context = getattr(err, "context_mark", None)
    if "could not find expected ':'" in said and context is not None:
        return _no_colon(lines, context.line)
    if "mapping values are not allowed" not in said or mark.line >= len(lines):
        return None
    row = lines[mark.line]
    if ":" in row[: mark.column].lstrip(" -"):
        return None  # a value that holds ': ': the usual fix says so
    first = _first_of_run(lines, mark.line)
    above = _above(lines, first)
    match = _LINE.match(lines[above]) if above is not None else None
    if (
        above is None
        or match is None
        or not match["key"]
        or not match["value"].strip()
        or _indent(lines[first]) <= _indent(lines[above])
    ):  # not the rest of a value above: a key that lost its ':'
        return _no_colon(lines, first) if first < mark.line else None
    key = match["key"].strip("'\"")
    return Slip(
        mark.line,
        f"this line is indented more than '{key}' above it, so YAML reads it as more of "
        f"the value of '{key}'",
        f"indent it as '{key}' is ({_indent(lines[above])} spaces)",
    )


def keyless(text: str) -> Slip | None:
    """The first line of ``text`` that is not a comment and has no key (``title Policy``)."""
    lines = yaml_lines(text)
    return next(filter(None, (_no_colon(lines, n) for n in range(len(lines)))), None)


def _no_colon(lines: list[str], line: int) -> Slip | None:
    if line >= len(lines) or _key_of(lines[line]) is not None or lines[line].lstrip()[:1] == "#":
        return None
    match = _LINE.match(lines[line])
    words = (match["value"] if match else lines[line]).strip()
    if not words:
        return None
    first, _, rest = words.partition(" ")
    return Slip(
        line,
        f"'{words}' has no ':' after its key",
        f"add ':' after the key '{first}': '{first}: {rest.strip()}'"
        if rest.strip()
        else f"add ':' after the key '{first}'",
    )


def _first_of_run(lines: list[str], line: int) -> int:
    """The first of the lines without a key right above ``line`` (``line`` when there are none):
    where the run-on text that YAML took for a key began."""
    while (above := _above(lines, line)) is not None and _key_of(lines[above]) is None:
        line = above
    return line


def _above(lines: list[str], line: int) -> int | None:
    """The nearest line above ``line`` that is neither blank nor a comment."""
    for number in range(line - 1, -1, -1):
        stripped = lines[number].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return None


def _key_of(row: str) -> str | None:
    match = _LINE.match(row)
    return match["key"].strip("'\"") if match and match["key"] else None


def _indent(row: str) -> int:
    return len(row) - len(row.lstrip(" "))


def duplicate_keys(
    node: yaml.Node | None, first_line: int = 1, prefix: str = ""
) -> Iterator[tuple[str, int, int]]:
    """Each key given twice in one mapping of the tree (whose text starts on ``first_line``): its
    dotted name (``lint.x``, ``errata[0].date``), the line it is first given on and the line it
    is given again on."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value in node.value:
            name = str(key_node.value)
            key = f"{prefix}.{name}" if prefix else name
            line = key_node.start_mark.line + first_line
            if name in seen and key_node.tag != "tag:yaml.org,2002:merge":
                yield key, seen[name], line
            seen.setdefault(name, line)
            yield from duplicate_keys(value, first_line, key)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from duplicate_keys(item, first_line, f"{prefix}[{index}]")


def twice(first: int, again: int) -> str:
    """What is said of a key given on line ``first`` and again on line ``again``."""
    return (
        f"appears twice; keep one. Lines {first} and {again} both give it, and YAML would "
        f"silently use line {again}'s."
    )
