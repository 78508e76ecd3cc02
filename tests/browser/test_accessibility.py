"""Every page of the project's own site, in every consent state, for people who use a keyboard, a
screen reader or a phone: axe-core finds nothing against WCAG 2.2 A/AA nor its best practices; the
banner's buttons are the first Tab stops; and at every later stop the focus is on screen, visibly
marked, and not hidden behind the banner or anything else.

The consent UI on its own (focus kept in the dialog and given back, the first Tab on the banner,
the banner on a phone) is tested on the consent demo in test_consent_a11y.py; here it is the whole
of every page of the real build, under the production CSP (tests/browser/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, ViewportSize, expect

from policy_site.consent import load_consent
from tests.support import ROOT, elements, parse_html

#: WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe-core has no rule tagged "wcag22a"), and every
#: best-practice rule of axe: heading-order, region, the landmark-* rules (one main, one banner
#: and contentinfo, unique names, top level), page-has-heading-one, skip-link, empty-heading...
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 360, "height": 640}
VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]
#: Tab presses a walk may take before it must have been once round the whole page.
MAX_STOPS = 150

_AXE = Axe()


def page_paths(site: Path) -> list[str]:
    """Every HTML page of the build as a URL path: ``privacy/`` for ``privacy/index.html``."""
    paths = []
    for html in sorted(site.rglob("*.html")):
        relative = html.relative_to(site)
        if html.name != "index.html":
            paths.append(relative.as_posix())
        elif relative.parent == Path():
            paths.append("")
        else:
            paths.append(f"{relative.parent.as_posix()}/")
    return paths


@pytest.fixture(scope="module")
def paths(project_site: Path) -> list[str]:
    found = page_paths(project_site)
    # The root, the 404 page, the policy, the archive, the cookie table, versions and redlines.
    assert {"", "404.html", "privacy/", "privacy/versions/", "privacy/cookies/"} <= set(found)
    assert any(path.startswith("privacy/versions/2") for path in found)
    assert any(path.startswith("privacy/changes/2") for path in found)
    return found


def visit(page: Page, base: str, path: str) -> None:
    """Opens ``path``. The root sends the visitor on to the policy: checked where it leads."""
    page.goto(base + path)
    if path == "":
        page.wait_for_url(f"{base}privacy/")
        page.wait_for_load_state()


#: The consent texts of each language, by the page's <html lang> (/sv/ pages are Swedish).
WORDS = load_consent(ROOT / "consent" / "consent.yml").texts


def words(page: Page) -> dict[str, str]:
    return WORDS[str(page.evaluate("document.documentElement.lang"))]


def banner(page: Page) -> Locator:
    return page.get_by_role("region", name=words(page)["region"])


def choose(page: Page, base: str, button: str) -> None:
    """Makes a choice in the banner; from then on no page of the context shows it."""
    page.goto(f"{base}privacy/")
    banner(page).get_by_role("button", name=button).click()
    expect(banner(page)).to_be_hidden()


# -- axe-core -------------------------------------------------------------------------------------

#: The one thing axe reports that is no fault of the page. axe takes a same-page link for a skip
#: link, which needs no landmark round it, only when no link to another page comes before it. The
#: consent banner comes first on purpose, its buttons the first Tab stops (R32), and it has a link
#: to the policy: so while it is shown axe reports the theme's "Skip to content" as content outside
#: any landmark (rule "region"). GOV.UK's design system places the skip link right after the
#: cookie banner the same way, says automated tools may warn so and that the warning does not
#: apply, and not to wrap the skip link in a <nav> nor move it into the header
#: (https://design-system.service.gov.uk/components/skip-link/). Let through only for that node,
#: while the banner precedes it, and once checked to be a working skip link into the article.
IS_SKIP_LINK_AFTER_BANNER = """node => {
  const skip = document.querySelector('[data-md-component="skip"]');
  const link = skip && skip.querySelector('a.md-skip[href^="#"]');
  const target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
  const banner = document.querySelector('.ppc-banner[aria-label]');
  return node === skip && !!link && skip.textContent.trim() === link.textContent.trim()
    && !!target && !!target.closest('main article') && !!banner && !banner.hidden
    && !!(banner.compareDocumentPosition(skip) & Node.DOCUMENT_POSITION_FOLLOWING);
}"""


def _skip_link_after_banner(page: Page, rule: str, target: list[Any]) -> bool:
    if rule != "region" or len(target) != 1 or not isinstance(target[0], str):
        return False
    node = page.locator(target[0])
    return node.count() == 1 and bool(node.evaluate(IS_SKIP_LINK_AFTER_BANNER))


#: Waits for every transition and animation to end or be cancelled (at most 2 s): a colour is
#: judged as it stays, not halfway through a hover's fade.
SETTLE = """async () => {
  const timeout = new Promise(done => setTimeout(done, 2000));
  const ended = document.getAnimations().map(a => a.finished.catch(() => null));
  await Promise.race([Promise.all(ended), timeout]);
}"""


def axe_findings(page: Page, where: str) -> list[str]:
    """axe-core's violations on the whole of ``page``, one line per node: the rule, the node, how
    serious, and axe's own summary of what fails and how to fix it."""
    page.evaluate(SETTLE)
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": TAGS}})
    found = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            if _skip_link_after_banner(page, violation["id"], node["target"]):
                continue
            summary = " ".join(str(node.get("failureSummary", "")).split())
            found.append(
                f"{where}: {violation['id']} {node['target']} ({violation['impact']}): "
                f"{violation['help']}. {summary}"
            )
    return found


def test_the_site_has_one_colour_scheme(project_site: Path) -> None:
    """The states below are all in the one scheme the site has (default, primary black): there is
    no palette toggle. One would add a dark scheme, to be checked as one more state here."""
    for html in project_site.rglob("*.html"):
        page = parse_html(html)
        assert elements(page, "//*[@data-md-component='palette']") == [], html
        assert elements(page, "//input[@name='__palette']") == [], html


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize(
    "state",
    [
        pytest.param("banner", id="banner"),
        pytest.param("dialog", id="dialog"),
        pytest.param("Reject all", id="rejected"),
        pytest.param("Accept all", id="accepted"),
    ],
)
def test_axe_finds_nothing_on_any_page(
    page: Page, site_url: str, paths: list[str], state: str, size: ViewportSize
) -> None:
    """Every page with the banner open (a first visit), with the dialog open ("Manage choices"),
    and after a choice (no banner, the footer's "Cookie settings" instead); the archive also
    with a comparison shown and its button still hovered. One browser context per state."""
    page.set_viewport_size(size)
    if state.endswith(" all"):
        choose(page, site_url, state)
    found: list[str] = []
    for path in paths:
        visit(page, site_url, path)
        if state == "dialog":
            banner(page).get_by_role("button", name=words(page)["manage"]).click()
            expect(page.get_by_role("dialog", name=words(page)["dialog_title"])).to_be_visible()
        elif state == "banner":
            expect(banner(page)).to_be_visible()
        else:
            expect(page.locator(".ppc-banner")).to_have_count(0)
        found += axe_findings(page, f"/{path} [{state}]")
        if path == "privacy/versions/" and state != "dialog":
            compare = page.get_by_role("button", name="Compare")
            compare.click()
            expect(page.locator(".policy-compare__result")).to_be_visible()
            compare.hover()
            found += axe_findings(page, f"/{path} compared [{state}]")
    assert found == [], "axe-core violations:\n" + "\n".join(found)


# -- the keyboard ---------------------------------------------------------------------------------

#: How every focusable element looks unfocused, to tell a focus indicator from the usual look.
SNAPSHOT = """() => {
  window.__unfocused = new WeakMap();
  window.__seen = new WeakSet();
  for (const e of document.querySelectorAll(
      'a[href], button, input, select, textarea, summary, [tabindex], iframe')) {
    const s = getComputedStyle(e);
    window.__unfocused.set(e, [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow]);
  }
}"""

#: The focused element once what moves has stopped moving (the drawer, the skip link, a fading
#: pilcrow): whether its centre is on screen, whether what is drawn there is itself, how opaque
#: it is, how its outline looks now and unfocused, and the colour its outline is drawn on. null
#: past the last stop, or back at a stop already seen: the focus has been once round the page.
FOCUSED = """async () => {
  const moving = document.getAnimations().filter(a => !/color$/.test(a.transitionProperty || ''));
  const timeout = new Promise(done => setTimeout(done, 2000));
  await Promise.race([Promise.all(moving.map(a => a.finished.catch(() => null))), timeout]);
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement || window.__seen.has(e))
    return null;
  window.__seen.add(e);
  // A link broken over two lines: the centre of its first line, not of the box round both.
  const r = [...e.getClientRects()].find(b => b.width * b.height > 0) || e.getBoundingClientRect();
  const s = getComputedStyle(e);
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const inside = r.width * r.height > 0 && x >= 0 && y >= 0 && x < innerWidth && y < innerHeight;
  const top = inside ? document.elementFromPoint(x, y) : null;
  let opacity = 1;
  for (let n = e; n instanceof Element; n = n.parentElement)
    opacity *= parseFloat(getComputedStyle(n).opacity);
  // What is behind the outline: every background from the root down over a white canvas, from
  // the parent's for an outline drawn outside the element.
  const layers = [];
  for (let n = parseFloat(s.outlineOffset) >= 0 ? e.parentElement : e; n instanceof Element;
       n = n.parentElement)
    layers.unshift(getComputedStyle(n).backgroundColor);
  let back = [255, 255, 255];
  for (const layer of layers) {
    const c = layer.match(/[\\d.]+/g).map(Number), a = c.length > 3 ? c[3] : 1;
    back = back.map((v, i) => c[i] * a + v * (1 - a));
  }
  const label = (e.getAttribute('aria-label') || e.textContent || '').trim().replace(/\\s+/g, ' ');
  return {
    name: `${e.tagName.toLowerCase()}.${String(e.className).trim().split(/\\s+/).join('.')} ` +
      `"${label.slice(0, 40)}"`,
    text: (e.textContent || '').trim(),
    inside,
    covered: inside && !(top && (top === e || e.contains(top))) &&
      (top ? `${top.tagName.toLowerCase()}.${String(top.className).split(' ')[0]}` : 'nothing'),
    shown: s.visibility === 'visible' && opacity >= 0.5,
    opacity,
    focusVisible: e.matches(':focus-visible'),
    outline: [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow],
    before: window.__unfocused.get(e) || null,
    background: back,
  };
}"""


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: list[float], other: list[float]) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rgba(css: str) -> tuple[list[float], float]:
    """``rgb(r, g, b)`` or ``rgba(r, g, b, a)`` as computed styles give colours."""
    numbers = [float(n) for n in css[css.index("(") + 1 : css.rindex(")")].split(",")]
    return numbers[:3], numbers[3] if len(numbers) > 3 else 1.0


def indicator_fault(stop: dict[str, Any]) -> str | None:
    """Why the focused element shows no focus indicator (2.4.7), or one too faint (1.4.11), or
    None. A box shadow it has only when focused counts. Otherwise it needs an outline, at least 1px
    and not as it is unfocused, in a colour 3:1 against what it is drawn on: even Chromium's own
    ``auto`` ring, whose near-black is lost on the dark footer."""
    if not stop["focusVisible"]:
        return "not :focus-visible"
    style, width, colour, shadow = stop["outline"]
    before = stop["before"]
    if shadow != "none" and (before is None or shadow != before[3]):
        return None
    if style == "none" or float(width.removesuffix("px")) < 1:
        return f"no outline ({style} {width})"
    if before is not None and before[:3] == [style, width, colour]:
        return f"the same outline unfocused ({style} {width} {colour})"
    rgb, alpha = rgba(colour)
    ratio = contrast(rgb, stop["background"])
    if alpha < 1 or ratio < 3:
        background = "rgb({:.0f}, {:.0f}, {:.0f})".format(*stop["background"])
        return f"outline {colour} is {ratio:.2f}:1 on {background}"
    return None


def stop_faults(stop: dict[str, Any]) -> list[str]:
    faults = []
    if not stop["inside"]:
        faults.append("off screen")
    elif stop["covered"]:
        faults.append(f"hidden behind {stop['covered']}")
    if not stop["shown"]:
        faults.append(f"invisible (opacity {stop['opacity']:.2f})")
    fault = indicator_fault(stop)
    if fault:
        faults.append(f"focus indicator: {fault}")
    return faults


def walk(page: Page) -> Iterator[dict[str, Any]]:
    """Presses Tab until the focus has been once round the page, yielding each stop."""
    page.evaluate(SNAPSHOT)
    for _ in range(MAX_STOPS):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop is None:
            return
        yield stop
    raise AssertionError(f"not once round the page after {MAX_STOPS} Tab presses")


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("choice", [None, "Reject all"], ids=["banner", "after-choice"])
def test_a_keyboard_alone_sees_every_stop_on_every_page(
    page: Page, site_url: str, paths: list[str], choice: str | None, size: ViewportSize
) -> None:
    """From a fresh load the banner's buttons are the first Tab stops, in the banner's order; at
    every stop of the page after them, the navigation drawer's on a phone included, the focused
    element is on screen, not behind the banner or anything else, and visibly focused. After a
    choice, the same without the banner."""
    page.set_viewport_size(size)
    if choice:
        choose(page, site_url, choice)
    faults: list[str] = []
    for path in paths:
        if path == "":
            continue  # the root leads to privacy/, walked as such
        visit(page, site_url, path)
        stops = list(walk(page))
        assert len(stops) > 3, f"/{path}: {[stop['name'] for stop in stops]}"
        if choice:
            expect(page.locator(".ppc-banner")).to_have_count(0)
        else:
            buttons = banner(page).get_by_role("button").all_text_contents()
            first = [stop["text"] for stop in stops[: len(buttons)]]
            assert len(buttons) == 3, buttons
            assert first == buttons, f"/{path}: the first Tab stops are {first}, not {buttons}"
        faults += [
            f"/{path} stop {number} {stop['name']}: {fault}"
            for number, stop in enumerate(stops, 1)
            for fault in stop_faults(stop)
        ]
    assert faults == [], "focus not seen:\n" + "\n".join(faults)


def test_a_tap_on_a_link_in_the_drawer_still_closes_it(page: Page, site_url: str) -> None:
    """The drawer stays open while the focus is inside it (policy.css): a link tapped in it takes
    the focus, and the theme's closing the drawer after that tap must still close it."""
    page.set_viewport_size(PHONE)
    choose(page, site_url, "Reject all")
    page.goto(f"{site_url}privacy/")
    drawer = page.locator(".md-sidebar--primary")
    page.locator("label.md-header__button[for='__drawer']").click()
    expect(drawer).to_be_in_viewport()
    drawer.locator("label.md-nav__link[for='__toc']").click()
    drawer.get_by_role("link", name="Effective Date").click()
    expect(page).to_have_url(f"{site_url}privacy/#effective-date")
    expect(drawer).not_to_be_in_viewport()
