// The gate (gate.js): each kind of element it starts once its category is allowed, and what it
// leaves alone. The kinds: <script type="text/plain"> (inline, external, async, with data-type,
// with a nonce), <img data-src data-srcset>, <iframe data-src> (with its placeholder while it
// waits); anything else keeps its data-* attributes inert (a <link>, say: the build refuses it).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load, makeConfig, recordValue, flush } = require("./harness.js");

const CONFIG = makeConfig();

function consented(c) {
  return { tt_consent: recordValue(CONFIG, c) };
}

const ANALYTICS = consented({ analytics: true, advertising: false });

function byId(page, id) {
  return page.document.querySelector("[id=" + id + "]");
}

test("an inline script runs as JavaScript, keeping its other attributes", async () => {
  const page = load({
    cookies: ANALYTICS,
    markup: '<script type="text/plain" data-category="analytics" id="s1" class="tag">window.x = 1</script>',
  });
  await flush();
  const s = byId(page, "s1");
  assert.notEqual(s, null);
  assert.equal(s.hasAttribute("type"), false);
  assert.equal(s.hasAttribute("data-category"), false);
  assert.equal(s.getAttribute("class"), "tag");
  assert.equal(s.text, "window.x = 1");
  assert.deepEqual(page.document.ran, [s]);
});

test("scripts run in document order: an external one is awaited, an async one is not", async () => {
  const page = load({
    cookies: ANALYTICS,
    markup:
      '<script type="text/plain" data-category="analytics" id="a" src="https://t.example/a.js"></script>' +
      '<script type="text/plain" data-category="analytics" id="b" src="https://t.example/b.js" async></script>' +
      '<script type="text/plain" data-category="analytics" id="c">inline()</script>',
  });
  await flush();
  assert.deepEqual(page.document.ran.map((s) => s.id), ["a"]);
  const a = byId(page, "a");
  assert.equal(a.async, false);
  assert.equal(a.getAttribute("src"), "https://t.example/a.js");
  a.onload();
  await flush();
  // b is async: c does not wait for it to load.
  assert.deepEqual(page.document.ran.map((s) => s.id), ["a", "b", "c"]);
  assert.equal(byId(page, "b").async, true);
});

test("a script that fails to load does not stop the ones after it", async () => {
  const page = load({
    cookies: ANALYTICS,
    markup:
      '<script type="text/plain" data-category="analytics" id="a" src="https://t.example/404.js"></script>' +
      '<script type="text/plain" data-category="analytics" id="b">after()</script>',
  });
  await flush();
  byId(page, "a").onerror();
  await flush();
  assert.deepEqual(page.document.ran.map((s) => s.id), ["a", "b"]);
});

test("data-type gives the script that runs its type (a module)", async () => {
  const page = load({
    cookies: ANALYTICS,
    markup: '<script type="text/plain" data-category="analytics" data-type="module" id="m">import "x"</script>',
  });
  await flush();
  const s = byId(page, "m");
  assert.equal(s.type, "module");
  assert.equal(s.hasAttribute("data-type"), false);
  assert.deepEqual(page.document.ran, [s]);
});

// A browser hides a parsed script's nonce from its attribute: only the property has it.
test("the nonce of a gated script passes to the script that runs", async () => {
  const page = load({
    markup: '<script type="text/plain" data-category="analytics" id="n" nonce="">run()</script>',
  });
  page.document.querySelector("script").nonce = "r4nd0m";
  page.api.acceptAll();
  await flush();
  assert.equal(byId(page, "n").nonce, "r4nd0m");
});

test("a gated script of another type is marked but never run", async () => {
  const page = load({
    cookies: ANALYTICS,
    markup: '<script type="application/json" data-category="analytics" id="j">{}</script>',
  });
  await flush();
  assert.deepEqual(page.document.ran, []);
  assert.equal(byId(page, "j").type, "application/json");
});

test("an image gets its src and srcset once allowed, not before", () => {
  const markup = '<img data-category="advertising" data-src="https://px.example/p.gif" data-srcset="https://px.example/p2.gif 2x" id="i">';
  const before = load({ cookies: ANALYTICS, markup });
  assert.equal(byId(before, "i").hasAttribute("src"), false);
  assert.equal(byId(before, "i").hasAttribute("srcset"), false);
  before.api.acceptAll();
  assert.equal(byId(before, "i").getAttribute("src"), "https://px.example/p.gif");
  assert.equal(byId(before, "i").getAttribute("srcset"), "https://px.example/p2.gif 2x");
});

test("an iframe waits behind a placeholder whose button allows its category", () => {
  const page = load({ markup: '<iframe data-category="advertising" data-src="https://video.example/e/1" id="f"></iframe>' });
  const frame = byId(page, "f");
  assert.equal(frame.hasAttribute("src"), false);
  assert.equal(frame.hidden, true);
  const box = page.document.querySelector("[class=ppc-placeholder]");
  assert.equal(box.parentNode.childNodes.indexOf(box) + 1, box.parentNode.childNodes.indexOf(frame));
  assert.equal(box.querySelector("p").textContent, "Blocked until you allow Advertising.");
  const allow = box.querySelector("button");
  assert.equal(allow.textContent, "Allow Advertising");
  allow.click();
  assert.equal(frame.getAttribute("src"), "https://video.example/e/1");
  assert.equal(frame.hidden, false);
  assert.equal(box.parentNode, null);
  // Only that category: the choice keeps the others as they were.
  assert.deepEqual(JSON.parse(JSON.stringify(page.api.get().c)), { analytics: false, advertising: true });
});

test("the necessary category starts at once, with no choice", async () => {
  const page = load({
    markup: '<iframe data-category="necessary" data-src="/privacy/" id="f"></iframe>' +
      '<script type="text/plain" data-category="necessary" id="s">n()</script>',
  });
  await flush();
  assert.equal(byId(page, "f").getAttribute("src"), "/privacy/");
  assert.deepEqual(page.document.ran.map((s) => s.id), ["s"]);
});

test("an unknown category never starts, and gets no placeholder", async () => {
  const page = load({
    markup: '<iframe data-category="nope" data-src="https://x.example/" id="f"></iframe>' +
      '<script type="text/plain" data-category="nope" id="s">n()</script>',
  });
  page.api.acceptAll();
  await flush();
  assert.equal(byId(page, "f").hasAttribute("src"), false);
  assert.equal(page.document.querySelector("[class=ppc-placeholder]"), null);
  assert.deepEqual(page.document.ran, []);
});

test("a <link> is not a kind the gate starts: its data-href stays inert", () => {
  const page = load({ cookies: ANALYTICS, markup: '<link data-category="analytics" rel="stylesheet" data-href="https://f.example/a.css" id="l">' });
  page.api.acceptAll();
  assert.equal(byId(page, "l").hasAttribute("href"), false);
});

test("gated markup added later starts when it arrives, if allowed", async () => {
  const page = load({ cookies: ANALYTICS });
  const [img, script] = page.document.html(
    '<img data-category="analytics" data-src="https://px.example/a.gif" id="i">' +
    '<script type="text/plain" data-category="advertising" id="s">ad()</script>');
  page.document.body.append(img, script);
  await flush();
  assert.equal(img.getAttribute("src"), "https://px.example/a.gif");
  assert.deepEqual(page.document.ran, []);
  page.api.accept(["analytics", "advertising"]);
  await flush();
  assert.deepEqual(page.document.ran.map((s) => s.id), ["s"]);
});

test("each element starts once, however often the page is scanned", async () => {
  const page = load({ cookies: ANALYTICS, markup: '<script type="text/plain" data-category="analytics" id="s">once()</script>' });
  await flush();
  page.get("_enableAll")(page.document);
  page.api.acceptAll();
  await flush();
  assert.equal(page.document.ran.length, 1);
});

test("withdrawing a category whose script ran reloads the page; one that never ran does not", async () => {
  const page = load({ cookies: ANALYTICS, markup: '<script type="text/plain" data-category="analytics">a()</script>' });
  await flush();
  page.api.accept(["analytics", "advertising"]);
  page.api.accept(["analytics"]);
  assert.equal(page.window.location.reloads, 0);
  page.api.rejectAll();
  assert.equal(page.window.location.reloads, 1);
});
