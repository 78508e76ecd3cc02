"""The manual's build hooks (``hooks:`` in manual/mkdocs.yml).

- A line ``<!-- reference: NAME -->`` becomes that section of the reference that
  ``policy_site.reference`` generates from the code (the plugin's options, the front matter,
  consent.yml's keys, the commands' help), so that the manual says what the code does. A NAME
  it does not have fails the build.
- A link out of docs/ to a file of this repository (``../../src/policy_site/options.py``) is a
  link on GitHub, where these pages read as plain Markdown too; the built manual has no
  repository beside it, so there it shows the file's path instead. A link to a file the
  repository does not have fails the strict build, naming the page and the link (a link inside
  docs/ and its anchor are MkDocs' to check: ``validation`` in mkdocs.yml).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from policy_site.reference import SECTIONS, section

LOG = get_plugin_logger("manual")
#: The repository: the folder that holds manual/.
ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^<!-- reference: ([a-z-]+) -->$", re.MULTILINE)
#: A fenced code block (indented too, in a list), left as it is.
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[^\n]*\n.*?^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
#: An inline code span (left as it is) or a Markdown link, ``[text](target)``.
SPAN_OR_LINK = re.compile(
    r"(?P<code>`+)[^`].*?(?P=code)|(?<!!)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)"
)
_SCHEME = re.compile(r"\A[a-zA-Z][a-zA-Z0-9+.-]*:")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    markdown = MARKER.sub(lambda match: _section(match.group(1), page.file.src_uri), markdown)
    source = _normal(Path(page.file.abs_src_path))
    docs = _normal(Path(config.docs_dir))
    kept, last, parts = FENCE.finditer(markdown), 0, []
    for fence in kept:
        parts += [_links(markdown[last : fence.start()], source, docs), fence.group()]
        last = fence.end()
    return "".join([*parts, _links(markdown[last:], source, docs)])


def _section(name: str, page: str) -> str:
    if name not in SECTIONS:
        raise PluginError(
            f"{page}: <!-- reference: {name} --> names no section of the reference: the "
            f"sections are {', '.join(SECTIONS)}"
        )
    return section(name)


def _links(text: str, source: Path, docs: Path) -> str:
    def rewrite(match: re.Match[str]) -> str:
        target = match.group("target")
        if target is None or _SCHEME.match(target) or target.startswith(("/", "#")):
            return match.group()
        path = _normal(source.parent / target.split("#", 1)[0])
        if path.is_relative_to(docs):
            return match.group()  # MkDocs checks it, anchor included
        name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
        if not path.is_relative_to(ROOT) or not path.exists():
            LOG.warning(
                f"{source.relative_to(docs).as_posix()}: the link to {target} finds no file of "
                f"the repository ({name}): correct it"
            )
            return match.group()
        label = match.group("text")
        return label if name in label else f"{label} (`{name}`)"

    return SPAN_OR_LINK.sub(rewrite, text)


def _normal(path: Path) -> Path:
    """``path`` absolute, with no ``..``, and its symbolic links as they are."""
    return Path(os.path.normpath(path.absolute()))
