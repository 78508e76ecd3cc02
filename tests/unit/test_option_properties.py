"""The plugin's options, whatever mkdocs.yml gives them: the commands' loader (``site.read_config``)
and MkDocs' own validation of the plugin's config accept and refuse the same values, in the same
words, and neither raises anything but its error (issue 21, points 1 and 2).

Reproducible: ``derandomize=True`` draws the same examples on every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_site.adapter import PolicySiteConfig
from policy_site.options import OPTIONS
from policy_site.problems import PolicySiteError
from policy_site.site import read_config

#: What a YAML value can be: scalars of every type, and small lists and mappings of them.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10, max_value=5000),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["UTC", "Europe/Stockholm", "Mars/Olympus", "en", "sv", "EN", "de-CH",
                     "privacy/versions", "../x", "/abs", "a@b.se", "a@b", "30", "consent.yml"]),
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["en", "sv", "de", "EN", "x y"]), inner, max_size=3)
    ),
    max_leaves=6,
)


def mkdocs_says(key: str, value: Any) -> str | None:
    """What MkDocs' validation of the plugin's config says of ``key: value``; None if nothing."""
    config = PolicySiteConfig()
    config.load_dict({key: value})
    errors, _ = config.validate()
    return "; ".join(str(error) for _, error in errors) or None


@settings(max_examples=300, derandomize=True, deadline=None)
@given(key=st.sampled_from(sorted(OPTIONS)), value=VALUES)
def test_check_and_the_build_agree_on_every_option_value(
    tmp_path_factory: Any, key: str, value: Any
) -> None:
    folder: Path = tmp_path_factory.mktemp("site")
    text = yaml.safe_dump({"site_name": "S", "plugins": [{"policy-site": {key: value}}]})
    (folder / "mkdocs.yml").write_text(text, encoding="utf-8")
    loaded = yaml.safe_load(text)["plugins"][0]["policy-site"][key]  # the value as YAML gave it
    said = mkdocs_says(key, loaded)
    refused = None
    try:
        read_config(folder / "mkdocs.yml")
    except PolicySiteError as err:
        refused = str(err)
    if refused is None:
        assert said is None, f"check takes {key}: {loaded!r}, the build refuses it: {said}"
    else:
        assert said is not None, f"check refuses {key}: {loaded!r}, the build takes it: {refused}"
        assert f"'plugins.policy-site.{key}'" in refused
        assert refused.split(f"'plugins.policy-site.{key}': ", 1)[1] in said
