"""The consent UI for people who use a keyboard, a screen reader, a phone or a zoomed page: axe-core
finds nothing, focus is visible and never hidden behind the banner, and nothing shifts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page: Page, selector: str) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 A/AA violations within ``selector``, with the nodes they concern."""
    results = Axe().run(
        page, context=selector, options={"runOnly": {"type": "tag", "values": WCAG}}
    )
    found: list[dict[str, Any]] = results.response["violations"]
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in found]


def test_axe_finds_nothing_in_the_banner(page: Page, consent_url: str) -> None:
    page.goto(f"{consent_url}partner/")
    expect(page.locator(".ppc-banner")).to_be_visible()
    assert violations(page, ".ppc-banner") == []


def test_axe_finds_nothing_in_the_dialog(page: Page, consent_url: str) -> None:
    page.goto(f"{consent_url}partner/")
    page.get_by_role("button", name="Manage choices").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert violations(page, ".ppc-dialog") == []


def test_axe_finds_nothing_in_the_iframe_placeholder(page: Page, consent_url: str) -> None:
    page.goto(f"{consent_url}partner/")
    expect(page.locator(".ppc-placeholder")).to_be_visible()
    assert violations(page, ".ppc-placeholder") == []


def test_the_dialog_keeps_focus_inside_and_gives_it_back(page: Page, consent_url: str) -> None:
    page.goto(f"{consent_url}partner/")
    manage = page.get_by_role("button", name="Manage choices")
    manage.click()
    expect(page.get_by_role("heading", name="Cookie settings")).to_be_focused()
    for _ in range(15):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('dialog') !== null")
    page.get_by_role("button", name="Close").click()
    expect(manage).to_be_focused()
    expect(page.locator(".ppc-banner")).to_be_visible()  # closing is no choice


@pytest.mark.parametrize("size", [(1280, 800), (320, 640)], ids=["desktop", "phone"])
def test_focus_is_never_hidden_behind_the_banner(
    page: Page, consent_url: str, size: tuple[int, int]
) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{consent_url}privacy/")
    expect(page.locator(".ppc-banner")).to_be_visible()
    hidden = []
    for _ in range(40):
        page.keyboard.press("Tab")
        covered = page.evaluate(
            """() => { const e = document.activeElement;
            if (!e || e === document.body || e.closest('.ppc-banner')) return false;
            const r = e.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            // Off screen (the theme's closed navigation drawer on a phone) is not "behind".
            if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
            const top = document.elementFromPoint(x, y);
            return !!(top && top.closest('.ppc-banner')) && e.outerHTML.slice(0, 80); }"""
        )
        if covered:
            hidden.append(covered)
    assert hidden == []


#: The phones of issue 24: an iPhone SE (2nd/3rd gen.) and the smallest still in use.
PHONES = [(375, 667), (320, 568)]


def on_screen(page: Page, locator: Locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None
    assert size is not None
    inside_x = box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
    return inside_x and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


@pytest.mark.parametrize("size", PHONES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_dialog_fits_a_phone_over_a_dimmed_inert_page(
    page: Page, consent_url: str, size: tuple[int, int]
) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{consent_url}partner/")
    page.get_by_role("button", name="Manage choices").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(page.locator(".ppc-banner")).to_be_hidden()  # no second set of buttons
    fixed = [
        dialog.get_by_role("heading", name="Cookie settings"),
        dialog.get_by_role("button", name="Close"),
        *(
            dialog.get_by_role("button", name=n)
            for n in ("Accept all", "Reject all", "Save choices")
        ),
    ]
    # The categories scroll between the title and the choices; the dialog itself does not.
    page.locator(".ppc-body").evaluate("body => body.scrollTo(0, body.scrollHeight)")
    assert [on_screen(page, locator) for locator in fixed] == [True] * len(fixed)
    assert page.locator(".ppc-dialog").evaluate("d => d.scrollHeight <= d.clientHeight")
    assert page.locator(".ppc-body").evaluate("b => getComputedStyle(b).overflowY") == "auto"
    backdrop = page.locator(".ppc-dialog").evaluate(
        "d => getComputedStyle(d, '::backdrop').backgroundColor"
    )
    alpha = re.fullmatch(r"rgba\(\d+, \d+, \d+, ([\d.]+)\)", backdrop)
    assert alpha is not None, backdrop
    assert float(alpha.group(1)) >= 0.4, backdrop
    # The page behind is inert: its links take no focus while the dialog is open.
    assert page.evaluate(
        "() => { const a = document.querySelector('body a[href]'); a.focus();"
        " return document.activeElement !== a; }"
    )
    assert violations(page, ".ppc-dialog") == []


def test_the_banner_fits_a_phone_and_shifts_nothing(page: Page, consent_url: str) -> None:
    page.add_init_script(
        """window.__shift = 0; new PerformanceObserver(list => { for (const e of list.getEntries())
        if (!e.hadRecentInput) window.__shift += e.value; }).observe({type: 'layout-shift',
        buffered: true});"""
    )
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{consent_url}privacy/", wait_until="networkidle")
    expect(page.locator(".ppc-banner")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    box = page.locator(".ppc-banner").bounding_box()
    assert box is not None
    assert box["height"] < 640 * 0.65  # the policy stays readable beside it
    assert page.evaluate("window.__shift") == 0


def test_focus_is_visible_on_the_banner_buttons(page: Page, consent_url: str) -> None:
    page.goto(f"{consent_url}partner/")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); "
        "return [document.activeElement.textContent, s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] == "Accept all"
    assert outline[1] != "none"
    assert outline[2] >= 2
