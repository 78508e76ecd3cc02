"""A site's page words: the package's files under the site's own (``locale_dir``), for each
language the site publishes, checked as strictly as the package's own are.

A site's ``<dir>/<code>.yml`` goes key by key over the package's file for that language (only the
keys it changes need be there); for a language the package has no file for, it must have every
key of the package's ``en.yml`` but ``starter`` (which only ``policy-site init`` reads, from the
package). Either way each key must be one of ``en.yml``'s, each text must keep exactly the
``{names}`` of the English text and hold no markup, and ``names`` must name every language the
site publishes. Each problem names the file, the line and the dotted key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from policy_site.locale import (
    PACKAGE_DIR,
    Words,
    available,
    merged,
    package_file,
    texts,
)
from policy_site.problems import Problem, display, near, yaml_problem

__all__ = ["load_words", "no_words"]

_NAME = re.compile(r"\{/?[a-z_]+\}")
#: What HTML would read as markup: the templates put a text in as it is.
_MARKUP = re.compile(r"[<>&\"]")
#: Keys a site's file need not have: policy-site init's starter text, read from the package.
_OPTIONAL = ("starter",)
#: A mapping whose keys are language codes, any of them: the languages' names.
_NAMES = "names"


def _english() -> str:
    return display(PACKAGE_DIR / "en.yml")


def no_words(code: str, locale_dir: str) -> str:
    """What is said of a published language there are no words for, where they were looked
    for, and the fix."""
    package = f"{display(PACKAGE_DIR)}/{code}.yml (the package has {', '.join(available())})"
    if locale_dir:
        return (
            f"no words for the policy pages in {code!r}: neither {package} nor "
            f"{locale_dir}/{code}.yml (plugins.policy-site.locale_dir) exists. Add "
            f"{locale_dir}/{code}.yml: a copy of the package's {_english()}, translated."
        )
    return (
        f"no words for the policy pages in {code!r}: there is no {package}, and the site sets "
        "no plugins.policy-site.locale_dir for words of its own. Set 'locale_dir: locale' under "
        f"plugins.policy-site in mkdocs.yml and add locale/{code}.yml beside mkdocs.yml: a copy "
        f"of the package's {_english()}, translated."
    )


def load_words(
    folder: Path | None, locale_dir: str, languages: Sequence[str]
) -> tuple[Words, list[Problem], list[str]]:
    """The words of ``languages`` from the package and ``folder`` (the site's ``locale_dir``, as
    mkdocs.yml names it; None when not set); the problems of the site's files, and the languages
    with no words at all."""
    found: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    missing: list[str] = []
    files: dict[str, Path] = {}
    for code in languages:
        base = texts(code) if package_file(code) is not None else None
        path = folder / f"{code}.yml" if folder is not None else None
        if path is None or not path.is_file():
            if base is None:
                missing.append(code)
            else:
                found[code] = base
            continue
        files[code] = path
        own, said = _site_file(path, complete=base is None)
        problems += said
        if own is not None and not said:
            found[code] = merged(base or {}, own)
    for code, words in found.items():
        names = words.get(_NAMES) or {}
        for named in languages:
            if named in names or named.split("-")[0] in names:
                continue
            if folder is not None:
                where = folder / f"{code}.yml"
                fix = f"add it to {locale_dir}/{code}.yml"
            else:
                where = package_file(code) or PACKAGE_DIR / "en.yml"
                fix = (
                    "set 'locale_dir: locale' under plugins.policy-site in mkdocs.yml and add it "
                    f"to locale/{code}.yml beside mkdocs.yml"
                )
            problems.append(
                Problem(files.get(code, where), 1, f"{_NAMES}.{named}",
                        f"the pages in {code} name {named}, a language the site publishes, but "
                        f"have no name for it: {fix} ('names: {{{named}: ...}}').")
            )  # fmt: skip
    return Words(found), problems, missing


def _site_file(path: Path, complete: bool) -> tuple[dict[str, Any] | None, list[Problem]]:
    """A site's file of words, and its problems (all of them)."""
    try:
        text = path.read_text(encoding="utf-8")
        loaded = yaml.safe_load(text)
        lines = _lines(yaml.compose(text, yaml.SafeLoader), "")
    except UnicodeDecodeError as err:
        return None, [Problem(path, 1, None, f"not UTF-8 text ({err}); save it as UTF-8.")]
    except yaml.YAMLError as err:
        return None, [yaml_problem(path, err, path.name, text=text)]
    own = {} if loaded is None else loaded
    if not isinstance(own, dict):
        return None, [
            Problem(path, 1, None, f"must be a mapping of the keys of the package's {_english()} "
                    f"to this language's words; it is {type(own).__name__}.")
        ]  # fmt: skip
    problems: list[Problem] = []
    _check(own, texts("en"), "", path, lines, problems)
    if complete:
        problems += [
            Problem(path, _line(lines, key), key,
                    f"missing: add it, translating {english!r} (the package has no "
                    f"{path.name} to take it from).")
            for key, english in _leaves(texts("en"), "").items()
            if not _has(own, key) and not key.startswith(_OPTIONAL)
        ]  # fmt: skip
    return own, problems


def _check(
    own: Mapping[Any, Any],
    english: Mapping[str, Any],
    prefix: str,
    path: Path,
    lines: Mapping[str, int],
    problems: list[Problem],
) -> None:
    """Each key of ``own`` against ``english`` (the package's en.yml at ``prefix``)."""

    def fail(key: str, message: str) -> None:
        problems.append(Problem(path, _line(lines, key), key, message))

    for name, value in own.items():
        key = f"{prefix}{name}"
        if name not in english:
            likely = near(name, english)
            meant = f"did you mean '{prefix}{likely}'? " if likely else ""
            fail(key, f"no such key: {meant}the keys are those of the package's {_english()}.")
            continue
        model = english[name]
        if key == _NAMES:
            if not isinstance(value, dict) or not all(
                isinstance(text, str) and text.strip() for text in value.values()
            ):
                fail(key, "must map each language's code to its name in this language, e.g. "
                     "'de: Deutsch'.")  # fmt: skip
        elif isinstance(model, dict):
            if isinstance(value, dict):
                _check(value, model, f"{key}.", path, lines, problems)
            else:
                fail(key, f"must be a mapping of the keys {', '.join(model)}, as in "
                     f"{_english()}.")  # fmt: skip
        elif isinstance(model, list):
            if (
                not isinstance(value, list)
                or len(value) != len(model)
                or not all(isinstance(item, str) and item.strip() for item in value)
            ):
                fail(key, f"must be a list of {len(model)} texts, as in {_english()}: "
                     f"[{', '.join(model)}].")  # fmt: skip
            else:
                for item in value:
                    _text(key, item, "", fail)
        elif not isinstance(value, str) or not value.strip():
            fail(key, f"must be text (quote it): the words for {model!r}.")
        else:
            _text(key, value, model, fail)


def _text(key: str, text: str, english: str, fail: Callable[[str, str], None]) -> None:
    """One text: no markup, and exactly the English text's ``{names}``."""
    if _MARKUP.search(text):
        fail(key, f"{text!r} holds one of < > & \": text only, no HTML (the page escapes "
             "nothing in it): write the words alone, with typographic quotes if any.")  # fmt: skip
    theirs, ours = set(_NAME.findall(text)), set(_NAME.findall(english))
    if theirs != ours:
        lacking, extra = sorted(ours - theirs), sorted(theirs - ours)
        said = [f"lacks {', '.join(lacking)}"] if lacking else []
        said += [f"has {', '.join(extra)}, which the page does not fill in"] if extra else []
        fail(key, f"{' and '.join(said)}: keep exactly the {{names}} of the English text "
             f"{english!r} ({_english()}), in the order the language needs.")  # fmt: skip


def _leaves(value: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Every key of ``value`` that holds a text or a list, dotted; ``names`` as one key."""
    found: dict[str, Any] = {}
    for name, inner in value.items():
        key = f"{prefix}{name}"
        if isinstance(inner, dict) and key != _NAMES:
            found |= _leaves(inner, f"{key}.")
        else:
            found[key] = inner
    return found


def _has(value: Mapping[Any, Any], key: str) -> bool:
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False
        value = value[part]
    return True


def _lines(node: yaml.Node | None, prefix: str) -> dict[str, int]:
    """The line of each key of a YAML mapping, dotted."""
    found: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            dotted = f"{prefix}{key.value}"
            found[dotted] = key.start_mark.line + 1
            found |= _lines(value, f"{dotted}.")
    return found


def _line(lines: Mapping[str, int], key: str) -> int:
    """The line of ``key``, else of the nearest key above it that the file has, else 1."""
    while key:
        if key in lines:
            return lines[key]
        key = key.rpartition(".")[0]
    return 1
