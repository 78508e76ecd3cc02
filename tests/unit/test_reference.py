"""The manual's reference is generated from the code (``policy_site.reference``): every option,
front-matter key, consent.yml key and command is in it with its words, the words of consent.yml's
keys agree with what the validation takes, and each command's help is what the installed command
prints. A new option, key or command without its words fails here."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from policy_site import reference
from policy_site.adapter import PolicySiteConfig
from policy_site.commands import COMMANDS, SCRIPTS_ENV
from policy_site.consent.config import ConsentConfigError, load_consent
from policy_site.consent.keys import KEYS, LANGUAGE
from policy_site.consent.texts import TEXT_KEYS
from policy_site.options import OPTIONS
from policy_site.problems import Problem
from policy_site.versions.frontmatter import KEY_DOCS, KNOWN_KEYS
from policy_site.versions.model import CHANGE_CLASSES
from policy_site.versions.translation_keys import INHERITED_KEYS

#: A consent.yml with every mapping the validation reads, each key left to its default.
STORAGE = {"name": "kept", "en": "what for"}
EVERY_MAPPING: dict[str, Any] = {
    "cookie": {"name": "consent"},
    "gpc_last_update": dt.date(2026, 1, 1),
    "texts": {"en": {}},
    "receipts": {"endpoint": "/consent/receipts"},
    "categories": {
        "necessary": {
            "title": {"en": "Necessary"},
            "description": {"en": "What the site needs."},
            "cookies": [{"name": "consent", "lifetime_days": 182, "en": "your choice"}],
            "storage": [STORAGE],
            "indexeddb": [STORAGE],
            "caches": [STORAGE],
            "services": [{"name": "Shop", "hosts": ["shop.example.com"]}],
        }
    },
}
UNKNOWN = "no_such_key"


def unknown(mapping: dict[str, Any]) -> dict[str, Any]:
    return {**mapping, UNKNOWN: 1}


#: EVERY_MAPPING with a key that no mapping takes added to each.
EVERY_MAPPING_WRONG = unknown(
    {
        **EVERY_MAPPING,
        "cookie": unknown(EVERY_MAPPING["cookie"]),
        "texts": {"en": unknown({})},
        "receipts": unknown(EVERY_MAPPING["receipts"]),
        "categories": {
            "necessary": unknown(
                {
                    **EVERY_MAPPING["categories"]["necessary"],
                    **{
                        kind: [unknown(item) for item in items]
                        for kind, items in EVERY_MAPPING["categories"]["necessary"].items()
                        if isinstance(items, list)
                    },
                }
            )
        },
    }
)


def written(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "consent.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def found(path: Path) -> list[Problem]:
    with pytest.raises(ConsentConfigError) as caught:
        load_consent(path)
    return caught.value.problems


def reference_name(key: str) -> str:
    """``categories.necessary.cookies[0].en`` -> ``categories.<id>.cookies[].<language>``, as
    KEYS names it."""
    key = re.sub(r"\[\d+\]", "[]", key.removeprefix("(top)."))
    key = re.sub(r"^categories\.necessary", "categories.<id>", key)
    key = re.sub(r"^texts\.en\b", f"texts.{LANGUAGE}", key)
    return re.sub(r"\.en$", f".{LANGUAGE}", key)  # a text in each language


def test_every_option_is_in_the_reference_with_its_value_default_and_words() -> None:
    table = reference.options()
    for key, option in OPTIONS.items():
        assert option.kind.strip(), f"option {key} does not say what its value is (kind)"
        assert option.help.strip(), f"option {key} does not say what it is for (help)"
        row = next((line for line in table.splitlines() if line.startswith(f"| `{key}` |")), "")
        assert row, f"option {key} is not in the reference"
        said = html.unescape(row.replace("\\", ""))  # the cell's escapes undone
        assert option.kind in said
        assert option.help in said


def test_the_mkdocs_config_class_has_exactly_the_options() -> None:
    """The reference reads OPTIONS; the build validates with PolicySiteConfig: the same keys."""
    assert [name for name, _ in PolicySiteConfig._schema] == list(OPTIONS)


def test_every_front_matter_key_is_in_the_reference_with_its_words() -> None:
    assert set(KEY_DOCS) == set(KNOWN_KEYS), (
        "a front-matter key without its words, or words of none"
    )
    table = reference.front_matter()
    for key in KNOWN_KEYS:
        assert f"| `{key}` | {KEY_DOCS[key]} |" in table
    for change in CHANGE_CLASSES:
        assert f"`{change}`" in KEY_DOCS["change"]
    for key in INHERITED_KEYS:
        assert re.search(rf"A translation takes .*`{key}`.* from the version it translates", table)


def test_consent_keys_are_the_keys_the_validation_takes(tmp_path: Path) -> None:
    """Each mapping of consent.yml given a key it does not take: the validation names the keys
    it takes there, and they are the reference's."""
    path = written(tmp_path, EVERY_MAPPING_WRONG)
    taken: dict[str, list[str]] = {}
    for problem in found(path):
        assert problem.key is not None
        assert problem.key.endswith(f".{UNKNOWN}"), problem
        listed = problem.message.split("the keys here are: ", 1)[1].rstrip(".").split(", ")
        where = reference_name(problem.key.removesuffix(f".{UNKNOWN}").removeprefix("(top)"))
        taken[where] = [LANGUAGE if key == "en" else key for key in listed]
    documented = {where: list(keys) for where, keys in KEYS.items()}
    documented[f"texts.{LANGUAGE}"] = list(TEXT_KEYS)
    assert {where: sorted(keys) for where, keys in taken.items()} == {
        where: sorted(keys) for where, keys in documented.items()
    }


def test_consent_keys_said_to_be_required_are_the_ones_the_validation_requires(
    tmp_path: Path,
) -> None:
    empty: dict[str, Any] = {
        "categories": {"necessary": {"cookies": [{}], "storage": [{}], "services": [{}]}},
        "texts": {"en": {}},
    }
    problems = found(written(tmp_path, empty)) + found(written(tmp_path, {}))
    named = {reference_name(problem.key) for problem in problems if problem.key}
    for where, keys in KEYS.items():
        if where in (
            "cookie",
            "receipts",
            "categories.<id>.indexeddb[]",
            "categories.<id>.caches[]",
        ):
            continue  # left out of the probe: cookie and receipts have every default
        for name, key in keys.items():
            dotted = f"{where}.{name}" if where else name
            assert (dotted in named) == key.required, f"{dotted}: required is {key.required}"


def test_consent_defaults_in_the_reference_are_the_loaded_ones(tmp_path: Path) -> None:
    config = load_consent(written(tmp_path, EVERY_MAPPING))
    assert config.receipts is not None
    loaded = {
        ("", "consent_mode"): str(config.consent_mode).lower(),
        ("cookie", "max_age_days"): str(config.cookie.max_age_days),
        ("cookie", "same_site"): config.cookie.same_site,
        ("receipts", "upstream"): ", ".join(config.receipts.upstream),
    }
    for (where, name), value in loaded.items():
        assert KEYS[where][name].default == f"`{value}`", f"{where}.{name}"
    unnamed = written(tmp_path, {**EVERY_MAPPING, "cookie": {}})
    assert KEYS["cookie"]["name"].default == f"`{load_consent(unnamed).cookie.name}`"


def test_every_consent_key_and_text_is_in_the_reference() -> None:
    said = reference.consent()
    for where, keys in KEYS.items():
        assert f"### `{where}`" in said or not where
        for name, key in keys.items():
            assert f"| `{name}` | {key.doc} |" in said
    for name in TEXT_KEYS:
        assert f"| `{name}` |" in said


def test_every_command_is_in_the_reference() -> None:
    lines = reference.command_lines()
    assert {words[0] for words in lines if words} == set(COMMANDS)
    assert ["receipts", "serve"] in lines
    said = reference.commands()
    for words in lines:
        assert f"### `{' '.join(['policy-site', *words])}`" in said


def test_a_commands_help_is_what_the_installed_command_prints() -> None:
    """``python -m policy_site.cli WORDS --help`` in a process of its own, as an installed
    policy-site runs (no POLICY_SITE_SCRIPTS) in a terminal HELP_COLUMNS wide: the top command,
    one with a parser of its own and one of its subcommands, and one of the top parser's (the
    reference renders them all through the same ``main``; a process takes two seconds)."""
    env = {key: value for key, value in os.environ.items() if key != SCRIPTS_ENV}
    env |= {"COLUMNS": str(reference.HELP_COLUMNS), "NO_COLOR": "1"}
    before = dict(os.environ)
    for words in ([], ["build"], ["audit"], ["receipts", "serve"]):
        assert words in reference.command_lines()
        printed = subprocess.run(
            [sys.executable, "-m", "policy_site.cli", *words, "--help"],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        assert printed.returncode == 0, printed.stderr
        assert reference.command_help(words) == printed.stdout, words
        assert printed.stdout.startswith(f"usage: {' '.join(['policy-site', *words])} ")
    assert dict(os.environ) == before, "the reference left the environment changed"


def test_an_unknown_section_is_refused() -> None:
    with pytest.raises(LookupError, match="the sections are options, front-matter"):
        reference.section("option")
