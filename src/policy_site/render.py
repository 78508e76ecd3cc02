"""A version's Markdown as HTML, as the built pages have it, without a generator: Python-Markdown
with the site's own extensions (mkdocs.yml's ``markdown_extensions``), so that each heading gets
the id its page has. ``policy-site check`` renders with it; the MkDocs adapter renders what its
pages do not (a draft) with MkDocs' own list of extensions.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import yaml

from policy_site.problems import PolicySiteError, Problem

__all__ = ["PythonName", "converter", "python_tag", "site_renderer"]

#: The extensions MkDocs gives every site before those mkdocs.yml lists (``markdown_extensions``'s
#: builtins): a site that lists none still has headings with ids.
MKDOCS_BUILTINS = ("toc", "tables", "fenced_code")


@dataclass(frozen=True)
class PythonName:
    """A ``!!python/name:module.attribute`` value in mkdocs.yml, or with ``call`` a
    ``!!python/object/apply:`` one (the ``toc`` extension's ``slugify``, say): imported, and
    called, only when the Markdown is rendered, as MkDocs' own reading of mkdocs.yml does."""

    name: str
    #: The positional and the keyword arguments of a ``!!python/object/apply:``.
    call: tuple[list[Any], dict[str, Any]] | None = None


_NAME = "tag:yaml.org,2002:python/name:"
_APPLY = "tag:yaml.org,2002:python/object/apply:"


def python_tag(loader: yaml.SafeLoader, tag: str, node: yaml.Node) -> PythonName | None:
    """A YAML constructor for every tag: a ``PythonName`` for the two above, None for another
    (``!ENV``, ``!relative``: nothing this package reads needs them)."""
    if tag.startswith(_NAME):
        return PythonName(tag.removeprefix(_NAME))
    if not tag.startswith(_APPLY):
        return None
    args: list[Any] = []
    kwds: dict[str, Any] = {}
    if isinstance(node, yaml.SequenceNode):
        args = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        given = loader.construct_mapping(node, deep=True)
        args, kwds = list(given.get("args") or []), dict(given.get("kwds") or {})
    return PythonName(tag.removeprefix(_APPLY), (args, kwds))


def converter(
    extensions: Sequence[Any], configs: Mapping[str, Mapping[str, Any]]
) -> Callable[[str], str]:
    """Markdown -> HTML with these Python-Markdown ``extensions`` and their options."""
    md = markdown.Markdown(
        extensions=list(extensions),
        extension_configs={name: dict(options) for name, options in configs.items()},
    )
    return lambda text: md.reset().convert(text)


def site_renderer(
    extensions: Mapping[str, Mapping[str, Any]], config_file: Path
) -> Callable[[str], str]:
    """Markdown -> HTML as MkDocs renders the pages of the site whose ``config_file`` lists
    ``extensions`` (``SiteConfig.markdown``), after the extensions MkDocs always has. Raises
    PolicySiteError naming the extension or the value that cannot be loaded, and the fix."""
    configs: dict[str, dict[str, Any]] = {}
    for name, options in extensions.items():
        configs[name] = {}
        for key, value in options.items():
            try:
                configs[name][key] = _imported(value)
            except (ImportError, AttributeError, ValueError, TypeError) as err:
                what = "the name or its arguments"
                raise _problem(config_file, f"{name}.{key}", err, what) from None
    try:
        return converter(list(dict.fromkeys([*MKDOCS_BUILTINS, *extensions])), configs)
    except (ImportError, AttributeError, ValueError, TypeError, KeyError) as err:
        raise _problem(config_file, "", err, "its name or its options") from None


def _problem(config_file: Path, key: str, err: Exception, what: str) -> PolicySiteError:
    return PolicySiteError([Problem(
        config_file, 1, f"markdown_extensions{'.' if key else ''}{key}",
        f"cannot be loaded ({type(err).__name__}: {err}): install the package that provides "
        f"it, or correct {what} in {config_file.name}.",
    )])  # fmt: skip


def _imported(value: Any) -> Any:
    """``value`` with each ``PythonName`` in it imported (and called, for an
    ``!!python/object/apply:``). Raises what importing or calling it raises."""
    if isinstance(value, PythonName):
        module, _, attribute = value.name.rpartition(".")
        found = getattr(importlib.import_module(module), attribute)
        if value.call is None:
            return found
        args, kwds = value.call
        return found(*_imported(args), **_imported(kwds))
    if isinstance(value, dict):
        return {key: _imported(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_imported(item) for item in value]
    return value
