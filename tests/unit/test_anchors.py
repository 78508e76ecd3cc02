"""Section anchors across versions: what each version answers for, and what it must map."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from policy_site.publishing import section_anchors
from policy_site.render import site_renderer
from policy_site.site import read_config
from policy_site.versions import load_policy
from policy_site.versions.anchors import (
    Removed,
    check_anchors,
    heading_anchors,
    with_old_anchors,
)
from policy_site.versions.model import PolicyVersion, Withdrawal
from tests.support import fixture_site


def version(day: str, anchors: dict[str, str | None] | None = None) -> PolicyVersion:
    effective = dt.date.fromisoformat(day)
    return PolicyVersion(Path(f"{day}.md"), effective, "Policy", "", anchors=anchors or {})


def page(*headings: tuple[str, str]) -> str:
    return "".join(
        f'<h2 id="{anchor}">{title}<a class="headerlink" href="#{anchor}">¶</a></h2><p>Text.</p>'
        for anchor, title in headings
    )


def test_heading_anchors_reads_ids_and_titles_without_the_permalink() -> None:
    html = page(("sharing", "Sharing &amp; <em>more</em>")) + '<h3 id="x-1">X</h3><h2>None</h2>'
    assert heading_anchors(html) == {"sharing": "Sharing & more", "x-1": "X"}


def test_a_mapping_carries_on_to_later_versions() -> None:
    chain = [
        (version("2020-01-01"), page(("sharing", "Sharing"), ("contact", "Contact"))),
        (version("2021-01-01", {"sharing": "recipients"}), page(("recipients", "Recipients"),
                                                                ("contact", "Contact"))),
        # A copy of 2021 (no mapping of its own): #sharing still lands on Recipients.
        (version("2022-01-01"), page(("recipients", "Recipients"), ("contact", "Contact"))),
        # Recipients renamed again: mapping it takes #sharing along.
        (version("2023-01-01", {"recipients": "whom-we-share-with", "contact": None}),
         page(("whom-we-share-with", "Whom we share with"))),
    ]  # fmt: skip
    anchors, problems = check_anchors(chain)
    assert problems == []
    assert anchors["2022-01-01"].aliases == {"sharing": "recipients"}
    assert anchors["2023-01-01"].aliases == {
        "sharing": "whom-we-share-with",
        "recipients": "whom-we-share-with",
    }
    assert anchors["2023-01-01"].removed == {"contact": Removed("Contact", "2023-01-01")}


def test_a_removed_section_stays_removed_until_a_heading_has_its_anchor_again() -> None:
    chain = [
        (version("2020-01-01"), page(("contact", "Contact"))),
        (version("2021-01-01", {"contact": None}), page(("other", "Other"))),
        (version("2022-01-01"), page(("other", "Other"))),
        (version("2023-01-01"), page(("other", "Other"), ("contact", "Contact us"))),
    ]
    anchors, problems = check_anchors(chain)
    assert problems == []
    assert anchors["2022-01-01"].removed == {"contact": Removed("Contact", "2021-01-01")}
    assert anchors["2023-01-01"].removed == {}


def test_mappings_that_do_not_hold_are_problems() -> None:
    chain = [
        (version("2020-01-01"), page(("sharing", "Sharing"), ("contact", "Contact"))),
        (version("2021-01-01", {"contact": "contact", "cookies": None, "sharing": "nowhere"}),
         page(("contact", "Contact"), ("recipients", "Recipients"))),
    ]  # fmt: skip
    _, problems = check_anchors(chain)
    messages = [problem.message for problem in problems]
    assert messages == [
        "'contact' is a heading of this version: delete it from 'anchors'.",
        "'cookies' is not an anchor of version 2020-01-01 (its anchors: contact, sharing).",
        "'sharing' maps to 'nowhere', which is not a heading of this version (contact, "
        "recipients).",
    ]


def test_old_anchors_are_elements_in_the_page() -> None:
    chain = [
        (version("2020-01-01"), page(("sharing", "Sharing"), ("contact", "Contact"))),
        (version("2021-01-01", {"sharing": "recipients", "contact": None}),
         page(("recipients", "Recipients"))),
    ]  # fmt: skip
    anchors, _ = check_anchors(chain)
    html = with_old_anchors(
        chain[1][1], anchors["2021-01-01"], lambda old, gone: f'<p id="{old}">{gone.title}</p>'
    )
    assert html.startswith(
        '<p id="contact">Contact</p><h2 id="recipients"><span id="sharing" '
        'class="policy-old-anchor"></span>Recipients'
    )


def test_versions_not_in_effect_yet_are_checked_drafts_included_withdrawn_not(
    tmp_path: Path,
) -> None:
    """``section_anchors`` walks every version by effective date (issue 23, point 4b): a heading
    a draft renames is found on the day it is written; a withdrawn version breaks nothing. The
    published anchors are the pages' alone."""
    config = read_config(fixture_site("two-versions", tmp_path) / "mkdocs.yml")
    drafting = load_policy(config.docs_dir, config.settings(), dt.date(2020, 11, 1))
    first, second = drafting.versions
    assert [entry.id for entry in drafting.timeline.entries] == [first.id]  # 2021: a draft
    renamed = replace(second, body=second.body.replace("## Sharing", "## Recipients"))
    render = site_renderer(config.markdown, config.config_file)
    anchors, problems = section_anchors(replace(drafting, versions=(first, renamed)), {}, render)
    assert list(anchors["en"]) == [first.id]
    assert [(problem.path, problem.key) for problem in problems] == [(second.path, "anchors")]
    assert "'anchors: {sharing: new-anchor}' (its new headings: recipients)" in (
        problems[0].message
    )
    taken_back = replace(renamed, withdrawn=Withdrawal(dt.date(2020, 11, 1), "Not needed."))
    policy = replace(drafting, versions=(first, taken_back))
    assert section_anchors(policy, {}, render)[1] == []
