"""The manual's reference, generated from the code each time the manual is built
(manual/hooks.py puts each section where manual/docs/reference.md marks it), so that it cannot
drift: the plugin's options (``options.OPTIONS``, which the MkDocs adapter's ``PolicySiteConfig``
wraps one for one), the front-matter keys of a version file (``versions/frontmatter.py``),
consent.yml's keys (``consent/keys.py``, held to the validation by the tests) and every command's
``--help``, as an installed ``policy-site`` prints it. Each section is Markdown.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import io
import os
import re
from collections.abc import Callable, Iterator, Mapping

from policy_site.commands import SCRIPTS_ENV
from policy_site.consent.keys import KEYS, Key
from policy_site.consent.texts import TEXT_KEYS, default_texts
from policy_site.options import OPTIONS
from policy_site.versions.frontmatter import KEY_DOCS, KNOWN_KEYS
from policy_site.versions.translation_keys import INHERITED_KEYS

__all__ = ["HELP_COLUMNS", "SECTIONS", "command_help", "command_lines", "section"]

#: The terminal width the commands' help is shown at (argparse reads COLUMNS).
HELP_COLUMNS = 72


def options() -> str:
    """The plugin's options: key, value, default and what each is for."""
    rows = ["| option | value | default | what it is for |", "|---|---|---|---|"]
    for key, option in OPTIONS.items():
        kind = _required(option.kind, f"option {key}: its kind")
        example = getattr(option, "example", None)
        value = _plain(kind) + (f", e.g. `{example}`" if example else "")
        help = _required(option.help, f"option {key}: its help")
        rows.append(f"| `{key}` | {value} | {_default(option.default)} | {_plain(help)} |")
    return "\n".join(rows) + "\n"


def front_matter() -> str:
    """The keys of a version file's front matter, and which a translation takes from its
    version."""
    rows = ["| key | what it holds |", "|---|---|"]
    for key in KNOWN_KEYS:
        rows.append(f"| `{key}` | {_cell(_required(KEY_DOCS.get(key, ''), f'key {key}'))} |")
    inherited = _listed(f"`{key}`" for key in INHERITED_KEYS)
    return "\n".join(rows) + (
        f"\n\nA translation takes {inherited} from the version it translates, and may not set "
        "them.\n"
    )


def consent() -> str:
    """consent.yml's keys, mapping by mapping, and the texts of the banner and the dialog."""
    parts = []
    for where, keys in KEYS.items():
        title = f"`{where}`" if where else "The top level"
        parts.append(f"### {title} {{#{_anchor('consent', where or 'top')}}}\n")
        rows = ["| key | what it holds | default |", "|---|---|---|"]
        for name, key in keys.items():
            rows.append(f"| `{name}` | {_cell(_required(key.doc, f'{where}.{name}'))} | "
                        f"{_key_default(key)} |")  # fmt: skip
        parts.append("\n".join(rows) + "\n")
    english = default_texts().get("en", {})
    languages = _listed(f"`{language}`" for language in sorted(default_texts()))
    parts.append(f"### `texts.<language>` {{#{_anchor('consent', 'texts')}}}\n")
    parts.append(
        "Each overrides the package's text in that language; the package has texts for "
        f"{languages}, and a language it has none for needs every key.\n"
    )
    rows = ["| key | the package's English text |", "|---|---|"]
    rows += [f"| `{name}` | {_plain(english.get(name, ''))} |" for name in TEXT_KEYS]
    parts.append("\n".join(rows) + "\n")
    return "\n".join(parts)


def commands() -> str:
    """Every command's ``--help``, under a heading of its own."""
    parts = []
    for words in command_lines():
        line = " ".join(["policy-site", *words])
        parts.append(f"### `{line}` {{#{_anchor(line)}}}\n\n```text\n{command_help(words)}```\n")
    return "\n".join(parts)


def command_lines() -> list[list[str]]:
    """Every command line that has a help of its own: ``[]`` (policy-site itself), each command,
    and each subcommand of a command that has them (``receipts serve``)."""
    from policy_site import cli, serve
    from policy_site.audit import cli as audit_cli

    def receipts() -> argparse.ArgumentParser:
        from policy_site.receipts import cli as receipts_cli  # aiohttp: imported where used

        return receipts_cli._parser()

    #: The commands whose own parser reads their arguments (the top parser only lists them).
    own: dict[str, Callable[[], argparse.ArgumentParser]] = {
        "serve": serve._parser, "audit": audit_cli._parser, "receipts": receipts,
    }  # fmt: skip
    with _as_installed():
        lines: list[list[str]] = [[]]
        for name, listed in _subcommands(cli._parser()):
            parser = own[name]() if name in own else listed
            lines += [[name], *([name, sub] for sub, _ in _subcommands(parser))]
    return lines


def command_help(words: list[str]) -> str:
    """What ``policy-site WORDS --help`` prints, as an installed policy-site prints it in a
    terminal HELP_COLUMNS wide."""
    from policy_site import cli

    out, err = io.StringIO(), io.StringIO()
    with _as_installed(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.main([*words, "--help"])
        except SystemExit as done:
            if done.code not in (0, None):
                said = f"policy-site {' '.join(words)} --help: {err.getvalue()}"
                raise LookupError(said) from None
    return out.getvalue()


#: Each section of the reference, by the name its marker gives (``<!-- reference: NAME -->``).
SECTIONS: dict[str, Callable[[], str]] = {
    "options": options,
    "front-matter": front_matter,
    "consent": consent,
    "commands": commands,
}


def section(name: str) -> str:
    """The section ``name`` of the reference, as Markdown."""
    if name not in SECTIONS:
        raise LookupError(f"no reference section {name!r}: the sections are {', '.join(SECTIONS)}")
    return SECTIONS[name]()


@contextlib.contextmanager
def _as_installed() -> Iterator[None]:
    """The environment of an installed ``policy-site`` in a plain terminal: commands named
    ``policy-site X`` (not this repository's ./scripts/X), HELP_COLUMNS wide, no colour."""
    names = (SCRIPTS_ENV, "COLUMNS", "NO_COLOR", "FORCE_COLOR")
    saved = {name: os.environ.get(name) for name in names}
    for name in (SCRIPTS_ENV, "FORCE_COLOR"):
        os.environ.pop(name, None)
    os.environ.update(COLUMNS=str(HELP_COLUMNS), NO_COLOR="1")
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices.items())
    return []


def _required(text: str, what: str) -> str:
    if not text.strip():
        raise LookupError(f"{what} has no words for the manual's reference: write them")
    return text


def _plain(text: str) -> str:
    """Plain text (an option's help, a default text) as a table cell."""
    escaped = html.escape(text, quote=False)
    for special in "\\`*_[]":
        escaped = escaped.replace(special, "\\" + special)
    return _cell(escaped)


def _cell(markdown: str) -> str:
    return markdown.replace("|", "\\|").replace("\n", " ")


def _default(value: object) -> str:
    if value in ("", None) or (isinstance(value, Mapping) and not value):
        return "not set"
    return f"`{value}`"


def _key_default(key: Key) -> str:
    return "required" if key.required else _cell(key.default) or "not set"


def _listed(items: Iterator[str] | list[str]) -> str:
    names = list(items)
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def _anchor(*words: str) -> str:
    return "-".join(part for word in words for part in re.findall(r"[a-z0-9]+", word.lower()))
