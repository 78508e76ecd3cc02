"""Redlines on small known pairs: exactly the changes, in the structure of the new text."""

from __future__ import annotations

import lxml.html

from policy_site.versions.redline import make_redline, rendered_text
from tests.support import elements


def marks(html: str, tag: str) -> list[str]:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [" ".join(e.text_content().split()) for e in elements(root, f".//{tag}")]


def test_identical_texts_have_no_marks() -> None:
    html = "<h1 id='p'>Policy</h1><p>We collect <em>names</em>.</p><ul><li>A</li></ul>"
    redline = make_redline(html, html)
    assert (redline.insertions, redline.deletions, redline.sections) == (0, 0, ())
    assert "<ins>" not in redline.html
    assert "<del>" not in redline.html


def test_a_changed_word_is_marked_alone() -> None:
    redline = make_redline(
        "<p>We keep data for two years.</p>", "<p>We keep data for one year.</p>"
    )
    assert marks(redline.html, "del") == ["two years."]
    assert marks(redline.html, "ins") == ["one year."]


def test_common_little_words_do_not_split_a_rewritten_passage() -> None:
    old = "<p>We may share your name and address with partners for marketing.</p>"
    new = "<p>We may share your email with trusted partners only for billing.</p>"
    redline = make_redline(old, new)
    assert marks(redline.html, "del") == ["name and address with partners for marketing."]
    assert marks(redline.html, "ins") == ["email with trusted partners only for billing."]


def test_list_items_and_paragraphs_keep_their_structure() -> None:
    old = "<p>Keep.</p><ul><li>A</li><li>B</li><li>C</li></ul><p>Gone entirely now.</p><p>End.</p>"
    new = "<p>Keep.</p><ul><li>A</li><li>C</li><li>D</li></ul><p>End.</p><p>Brand new.</p>"
    root = lxml.html.fragment_fromstring(make_redline(old, new, demote=0).html, create_parent="div")
    items = [" ".join(li.text_content().split()) for li in elements(root, "./ul/li")]
    assert items == ["A", "B", "C", "D"]
    assert [e.text_content() for e in elements(root, "./ul/li/del")] == ["B"]
    assert [e.text_content() for e in elements(root, "./ul/li/ins")] == ["D"]
    assert [e.text_content() for e in elements(root, "./p/del")] == ["Gone entirely now."]
    assert [e.text_content() for e in elements(root, "./p/ins")] == ["Brand new."]


def test_sections_name_where_the_changes_are_and_headings_move_down() -> None:
    old = "<h1>P</h1><h2 id='a'>A</h2><p>Same.</p><h2 id='b'>B</h2><p>Old words here.</p>"
    new = "<h1>P</h1><h2 id='a'>A</h2><p>Same.</p><h2 id='b'>B</h2><p>New words here.</p>"
    redline = make_redline(old, new)
    assert redline.sections == (("b", "B"),)
    root = lxml.html.fragment_fromstring(redline.html, create_parent="div")
    assert [h.tag for h in elements(root, "./*[starts-with(name(), 'h')]")] == ["h2", "h3", "h3"]


def test_inline_markup_survives_in_a_changed_paragraph() -> None:
    old = "<p>Effective as of <em>October 1, 2007</em>. Write to <a href='/c'>us</a>.</p>"
    new = "<p>Effective as of <em>January 1, 2027</em>. Write to <a href='/c'>us</a>.</p>"
    root = lxml.html.fragment_fromstring(make_redline(old, new).html, create_parent="div")
    assert elements(root, ".//a[@href='/c']")
    assert [e.text_content() for e in elements(root, ".//ins//em | .//em//ins")] != []


def test_rendered_text_leaves_out_section_links() -> None:
    html = "<h2 id='a'>A<a class='headerlink' href='#a'>¶</a></h2><p>Text  here.</p>"
    assert rendered_text(html) == "A Text here."


def test_a_replaced_passage_reads_deletion_first() -> None:
    """A legal redline strikes the old text, then gives the new: "~~13.~~ 16.", never "16. ~~13.~~"
    (lxml's htmldiff writes the insertion first)."""
    redline = make_redline(
        "<p>13. We keep data for two <em>years</em>.</p>", "<p>16. We keep data for one month.</p>"
    )
    root = lxml.html.fragment_fromstring(redline.html, create_parent="div")
    assert [e.tag for e in elements(root, ".//ins | .//del")] == ["del", "ins", "del", "ins"]
    assert " ".join(root.text_content().split()) == (
        "13. 16. We keep data for two years. one month."
    )


def test_a_replaced_block_reads_deletion_first() -> None:
    old = "<p>Keep.</p><h2>Old heading</h2><p>Gone entirely now.</p><p>End.</p>"
    new = "<p>Keep.</p><ul><li>Brand new item</li></ul><p>Another new text.</p><p>End.</p>"
    root = lxml.html.fragment_fromstring(make_redline(old, new, demote=0).html, create_parent="div")
    marked = [(e.tag, e.text_content()) for e in elements(root, ".//ins | .//del")]
    assert marked == [
        ("del", "Old heading"), ("del", "Gone entirely now."),
        ("ins", "Brand new item"), ("ins", "Another new text."),
    ]  # fmt: skip
