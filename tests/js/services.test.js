// Per-service choice (record.js, gate.js, main.js, dialog.js): in a category of two or more
// services, each with an id, the visitor chooses each service; gated markup may name its service
// (data-service); the record, the receipts and Consent Mode carry each service's choice; a record
// written before (no ``s``) keeps working, allowing every service of a category it allows.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load, makeConfig, recordValue, flush } = require("./harness.js");

const CONFIG = makeConfig({ perService: true, receipts: true });

function plain(value) {
  return JSON.parse(JSON.stringify(value));
}

function stored(page) {
  return JSON.parse(decodeURIComponent(page.document.jar.value("tt_consent")));
}

function button(root, text) {
  return root.querySelectorAll("button").find((b) => b.textContent === text);
}

const PIXELS =
  '<img data-category="advertising" data-service="google-ads" data-src="https://ads.google.example/p.gif" id="g">' +
  '<img data-category="advertising" data-service="meta-pixel" data-src="https://www.facebook.example/tr" id="m">' +
  '<img data-category="advertising" data-src="https://ads.example/any.gif" id="a">';

function src(page, id) {
  return page.document.querySelector("[id=" + id + "]").getAttribute("src");
}

function signals(page) {
  const calls = plain((page.window.dataLayer || []).map((args) => Array.from(args)));
  return calls[calls.length - 1][2];
}

// Opens the dialog, sets each named switch, and saves.
function save(page, switches) {
  page.api.show();
  const dialog = page.document.querySelector("dialog");
  Object.entries(switches).forEach(([name, on]) => { dialog.querySelector("[name=" + name + "]").checked = on; });
  button(dialog, "Save choices").click();
  return dialog;
}

test("a category chosen per service opens to a switch per service under its own, which they follow", () => {
  const page = load({ config: CONFIG });
  page.api.show();
  const dialog = page.document.querySelector("dialog");
  const group = dialog.querySelector("[role=group]");
  assert.equal(group.getAttribute("aria-label"), "Advertising");
  const box = (name) => dialog.querySelector("[name=" + name + "]");
  assert.deepEqual(group.querySelectorAll("input").map((i) => [i.name, i.getAttribute("role"), i.checked]),
    [["google-ads", "switch", false], ["meta-pixel", "switch", false]]);
  box("meta-pixel").checked = true;
  box("meta-pixel").onchange();
  assert.equal(box("advertising").checked, true); // on while one of its services is
  box("advertising").checked = true;
  box("advertising").onchange();
  assert.deepEqual([box("google-ads").checked, box("meta-pixel").checked], [true, true]);
  box("advertising").checked = false;
  box("advertising").onchange();
  assert.deepEqual([box("google-ads").checked, box("meta-pixel").checked], [false, false]);
  assert.equal(dialog.querySelectorAll("[role=group]").length, 1); // analytics is chosen as a whole
});

test("Google Ads on and Meta Pixel off: only Google's markup loads, the record and Consent Mode say so", async () => {
  const page = load({ config: CONFIG, markup: PIXELS });
  save(page, { "google-ads": true, "meta-pixel": false });
  await flush();
  const r = stored(page);
  assert.deepEqual(Object.keys(r), ["v", "id", "ts", "pv", "c", "s", "gpc"]);
  assert.deepEqual(r.c, { analytics: false, advertising: true });
  assert.deepEqual(r.s, { "google-ads": true, "meta-pixel": false });
  assert.equal(src(page, "g"), "https://ads.google.example/p.gif");
  assert.equal(src(page, "m"), null);
  assert.equal(src(page, "a"), "https://ads.example/any.gif"); // names no service: its category's
  assert.equal(signals(page).ad_storage, "granted");
});

test("Meta Pixel on and Google Ads off: the reverse, and Google's signals stay denied", async () => {
  const page = load({ config: CONFIG, markup: PIXELS });
  save(page, { "google-ads": false, "meta-pixel": true });
  await flush();
  assert.deepEqual(stored(page).s, { "google-ads": false, "meta-pixel": true });
  assert.equal(src(page, "g"), null);
  assert.equal(src(page, "m"), "https://www.facebook.example/tr");
  assert.equal(signals(page).ad_storage, "denied");
  assert.equal(signals(page).ad_user_data, "denied");
});

test("both services off is the category off; accept all and reject all choose every service", () => {
  const page = load({ config: CONFIG });
  page.api.accept(["analytics"]);
  save(page, { "google-ads": false, "meta-pixel": false });
  assert.deepEqual(stored(page).c.advertising, false);
  assert.deepEqual(stored(page).s, { "google-ads": false, "meta-pixel": false });
  page.api.acceptAll();
  assert.deepEqual(stored(page).s, { "google-ads": true, "meta-pixel": true });
  page.api.rejectAll();
  // A refusal carries no services' choices: it holds as it is when a service is added.
  assert.equal(stored(page).s, undefined);
  assert.deepEqual(stored(page).c, { analytics: false, advertising: false });
  page.api.accept(["analytics"]);
  assert.deepEqual(stored(page).s, { "google-ads": false, "meta-pixel": false });
});

test("a record in the earlier format (no s) allows every service of a category it allows", async () => {
  const older = recordValue(CONFIG, { analytics: false, advertising: true });
  const page = load({ config: CONFIG, markup: PIXELS, cookies: { tt_consent: older } });
  await flush();
  assert.equal(page.api.get().s, undefined);
  assert.equal(src(page, "g"), "https://ads.google.example/p.gif");
  assert.equal(src(page, "m"), "https://www.facebook.example/tr");
  page.api.show();
  const boxes = page.document.querySelector("[role=group]").querySelectorAll("input");
  assert.deepEqual(boxes.map((b) => b.checked), [true, true]);
});

test("a record whose services disagree with its categories, or lack one, is no choice", () => {
  const record = (c, s) => encodeURIComponent(JSON.stringify({ v: 1, id: "0123456789abcdef", ts: Date.now(), pv: CONFIG.revision, c: c, s: s, gpc: false }));
  const read = (value) => load({ config: CONFIG, cookies: { tt_consent: value } }).api.get();
  assert.deepEqual(plain(read(record({ analytics: false, advertising: true }, { "google-ads": true, "meta-pixel": false })).s),
    { "google-ads": true, "meta-pixel": false });
  for (const [c, s] of [
    [{ analytics: false, advertising: false }, { "google-ads": true, "meta-pixel": false }], // a service on, its category off
    [{ analytics: false, advertising: true }, { "google-ads": true }], // meta-pixel missing
    [{ analytics: false, advertising: true }, { "google-ads": true, "meta-pixel": false, other: true }], // one more
    [{ analytics: false, advertising: true }, { "google-ads": 1, "meta-pixel": false }], // not a boolean
  ]) {
    assert.equal(read(record(c, s)), null, JSON.stringify(s));
  }
});

test("an iframe of one service shows its name, and its Allow allows that service alone", () => {
  const page = load({
    config: CONFIG,
    markup: '<iframe data-category="advertising" data-service="meta-pixel" data-src="https://www.facebook.example/v"></iframe>',
  });
  const box = page.document.querySelector("[class=ppc-placeholder]");
  assert.equal(box.querySelector("p").textContent, "Blocked until you allow Meta Pixel.");
  button(box, "Allow Meta Pixel").click();
  assert.deepEqual(stored(page).s, { "google-ads": false, "meta-pixel": true });
  assert.deepEqual(stored(page).c, { analytics: false, advertising: true });
});

test("switching off a service whose script ran reloads the page; the other service's staying on does not", async () => {
  const page = load({
    config: CONFIG,
    markup: '<script type="text/plain" data-category="advertising" data-service="meta-pixel">window.m = 1</script>',
  });
  save(page, { "google-ads": true, "meta-pixel": true });
  await flush();
  assert.equal(page.window.location.reloads, 0);
  save(page, { "google-ads": false, "meta-pixel": true });
  assert.equal(page.window.location.reloads, 0);
  save(page, { "google-ads": false, "meta-pixel": false });
  assert.equal(page.window.location.reloads, 1);
});

test("the receipt carries each service's choice and the ones it replaces", async () => {
  const page = load({ config: CONFIG });
  page.api.acceptAll();
  save(page, { "google-ads": true, "meta-pixel": false });
  const [first, second] = await Promise.all(page.window.beacons.map(async (b) => JSON.parse(await b.blob.text())));
  assert.equal(first.q, null);
  assert.deepEqual(second.r.s, { "google-ads": true, "meta-pixel": false });
  assert.deepEqual(second.q, { "google-ads": true, "meta-pixel": true });
  assert.deepEqual(second.o, { analytics: true, advertising: true });
});
