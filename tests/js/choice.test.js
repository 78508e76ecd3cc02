// The choice (main.js, ui.js, receipts.js): accept all, reject all, per category, by the banner,
// the dialog and the API; Global Privacy Control; what a choice tells the page, Consent Mode and
// (with receipts on) the receiver.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load, makeConfig, recordValue, flush } = require("./harness.js");

const CONFIG = makeConfig();

// A value from the page's realm as plain data, to compare.
function plain(value) {
  return JSON.parse(JSON.stringify(value));
}

function stored(page) {
  const value = page.document.jar.value("tt_consent");
  return value === undefined ? undefined : JSON.parse(decodeURIComponent(value));
}

function banner(page) {
  return page.document.querySelector("section");
}

// The banner's or dialog's button with ``text``.
function button(root, text) {
  return root.querySelectorAll("button").find((b) => b.textContent === text);
}

test("with no choice the banner asks, and nothing optional is granted", () => {
  const page = load();
  assert.equal(banner(page).hidden, false);
  assert.equal(banner(page).getAttribute("aria-label"), "Cookie choices");
  assert.deepEqual(banner(page).querySelectorAll("button").map((b) => b.textContent), ["Accept all", "Reject all", "Manage choices"]);
  assert.equal(banner(page).querySelector("a").href, CONFIG.policyUrl);
  assert.deepEqual(plain(page.get("state").granted), { analytics: false, advertising: false });
  assert.equal(page.api.get(), null);
  assert.equal(page.document.documentElement.classList.names.has("ppc-js"), true);
});

test("accept all grants every optional category, stores the record and hides the banner", () => {
  const page = load();
  button(banner(page), "Accept all").click();
  const r = stored(page);
  assert.deepEqual(Object.keys(r), ["v", "id", "ts", "pv", "c", "gpc"]);
  assert.deepEqual(r.c, { analytics: true, advertising: true });
  assert.equal(r.pv, CONFIG.revision);
  assert.match(r.id, /^[0-9a-f]{16}$/);
  assert.equal(r.gpc, false);
  assert.deepEqual(plain(page.api.get()), r);
  assert.equal(banner(page).hidden, true);
});

test("reject all grants none, and a later choice keeps the record's id", () => {
  const page = load();
  page.api.acceptAll();
  const id = stored(page).id;
  button(banner(page), "Reject all").click();
  assert.deepEqual(stored(page).c, { analytics: false, advertising: false });
  assert.equal(stored(page).id, id);
});

test("the dialog chooses per category: its switches show the choice in force, Save stores them", () => {
  const page = load({ cookies: { tt_consent: recordValue(CONFIG, { analytics: true, advertising: false }) } });
  page.api.show();
  const dialog = page.document.querySelector("dialog");
  assert.equal(dialog.open, true);
  assert.equal(page.document.activeElement, dialog.querySelector("h2"));
  const box = (id) => dialog.querySelector("[name=" + id + "]");
  assert.equal(box("necessary").checked, true);
  assert.equal(box("necessary").disabled, true);
  assert.equal(box("analytics").checked, true);
  assert.equal(box("advertising").checked, false);
  box("analytics").checked = false;
  box("advertising").checked = true;
  button(dialog, "Save choices").click();
  assert.deepEqual(stored(page).c, { analytics: false, advertising: true });
  assert.equal(dialog.open, false);
});

test("the API accepts a list of optional categories, and refuses anything else unchanged", () => {
  const page = load();
  page.api.accept(["advertising"]);
  assert.deepEqual(stored(page).c, { analytics: false, advertising: true });
  const before = page.document.jar.value("tt_consent");
  const sparse = ["analytics"];
  sparse[2] = "advertising";
  const extra = ["analytics"];
  extra.x = 1;
  for (const bad of ["analytics", null, { 0: "analytics", length: 1 }, ["necessary"], ["nope"], sparse, extra]) {
    assert.throws(() => page.api.accept(bad), (e) => e.name === "TypeError" && /invalid argument/.test(e.message));
  }
  assert.equal(page.document.jar.value("tt_consent"), before);
  assert.throws(() => page.api.on("changed", () => {}), (e) => e.name === "TypeError");
  assert.throws(() => page.api.on("change", "f"), (e) => e.name === "TypeError");
});

test("a choice tells each listener, isolated, and the page by an event", () => {
  const page = load();
  const seen = [];
  page.api.on("change", () => { throw new Error("a broken listener"); });
  page.api.on("change", (r) => { seen.push(r); r.c.analytics = "tampered"; });
  const reported = [];
  page.window.reportError = (e) => reported.push(e.message);
  page.api.accept(["analytics"]);
  assert.equal(seen.length, 1);
  assert.deepEqual(reported, ["a broken listener"]);
  assert.equal(page.api.get().c.analytics, true); // listeners get copies
  const event = page.document.events.find((e) => e.type === "privacyconsent:change");
  assert.deepEqual(plain(event.detail.c), { analytics: true, advertising: false });
});

test("Consent Mode: denied by default, then each signal follows its categories", () => {
  const page = load();
  const calls = () => plain(page.window.dataLayer.map((args) => Array.from(args)));
  assert.deepEqual(calls(), [["consent", "default", {
    ad_storage: "denied", ad_user_data: "denied", ad_personalization: "denied", analytics_storage: "denied",
  }]]);
  page.api.accept(["analytics"]);
  assert.deepEqual(calls()[1], ["consent", "update", {
    ad_storage: "denied", ad_user_data: "denied", ad_personalization: "denied", analytics_storage: "granted",
  }]);
});

test("without Consent Mode nothing is pushed to the dataLayer", () => {
  const page = load({ consentMode: false });
  page.api.acceptAll();
  assert.equal(page.window.dataLayer, undefined);
});

test("GPC: accept all grants only what the signal does not refuse, and says so", () => {
  const page = load({ gpc: true });
  assert.equal(banner(page).querySelector("[class=ppc-gpc]").textContent, "Global Privacy Control is respected.");
  page.api.acceptAll();
  assert.deepEqual(stored(page).c, { analytics: true, advertising: false });
  assert.equal(stored(page).gpc, true);
});

test("GPC: a choice made before the signal yields to it, as a new choice", () => {
  const earlier = recordValue(CONFIG, { analytics: true, advertising: true });
  const page = load({ gpc: true, cookies: { tt_consent: earlier } });
  const r = stored(page);
  assert.deepEqual(r.c, { analytics: true, advertising: false });
  assert.equal(r.gpc, true);
  assert.equal(r.id, "0123456789abcdef");
});

test("GPC: an explicit opt-in made with the signal on stands", () => {
  const value = recordValue(CONFIG, { analytics: true, advertising: true }, { gpc: true });
  const page = load({ gpc: true, cookies: { tt_consent: value } });
  assert.equal(page.document.jar.value("tt_consent"), value);
  assert.deepEqual(plain(page.get("state").granted), { analytics: true, advertising: true });
});

test("GPC: a per-category choice may still turn on what the signal refuses", () => {
  const page = load({ gpc: true });
  page.api.accept(["advertising"]);
  assert.deepEqual(stored(page).c, { analytics: false, advertising: true });
});

test("another tab's choice applies here; an older one than the choice in force does not", () => {
  const page = load();
  page.api.accept(["analytics"]);
  const sync = page.get("_sync");
  const newer = recordValue(CONFIG, { analytics: false, advertising: true }, { ts: Date.now() + 1000 });
  sync({ data: newer });
  assert.deepEqual(plain(page.api.get().c), { analytics: false, advertising: true });
  const older = recordValue(CONFIG, { analytics: true, advertising: true }, { ts: Date.now() - 60000 });
  page.document.jar.put("tt_consent", newer, { domain: ".example.com" });
  sync({ data: older });
  assert.deepEqual(plain(page.api.get().c), { analytics: false, advertising: true });
});

test("without receipts: no receipt is sent, the dialog has no reference line", () => {
  const page = load();
  page.api.acceptAll();
  page.api.show();
  assert.deepEqual(page.window.beacons, []);
  assert.equal(page.document.querySelector("[class=ppc-ref]"), null);
});

test("with receipts: each choice sends one receipt, saying how it was made", async () => {
  const page = load({ receipts: true });
  button(banner(page), "Accept all").click();
  page.api.rejectAll();
  assert.equal(page.window.beacons.length, 2);
  const [first, second] = await Promise.all(page.window.beacons.map(async (b) => {
    assert.equal(b.url, "/consent/receipts");
    assert.equal(b.blob.type, "application/json");
    return JSON.parse(await b.blob.text());
  }));
  assert.deepEqual(Object.keys(first), ["v", "i", "r", "o", "q", "m", "b", "p"]);
  assert.equal(first.q, null); // no service is chosen on its own here
  assert.equal(first.m, "b");
  assert.equal(first.o, null);
  assert.deepEqual(first.r.c, { analytics: true, advertising: true });
  assert.equal(first.b, "consent.en.000000000000.js");
  assert.equal(first.p, "/shop/item");
  assert.match(first.i, /^[0-9a-f]{16}$/);
  assert.notEqual(first.i, second.i);
  assert.equal(second.m, "a");
  assert.deepEqual(second.o, { analytics: true, advertising: true });
  assert.deepEqual(second.r, stored(page));
});

test("with receipts: a GPC override at start-up sends its receipt, made by g", async () => {
  const earlier = recordValue(CONFIG, { analytics: true, advertising: true });
  const page = load({ receipts: true, gpc: true, cookies: { tt_consent: earlier } });
  assert.equal(page.window.beacons.length, 1);
  const receipt = JSON.parse(await page.window.beacons[0].blob.text());
  assert.equal(receipt.m, "g");
  assert.deepEqual(receipt.o, { analytics: true, advertising: true });
});

test("with receipts: a refused beacon does not stop the choice", () => {
  const page = load({ receipts: true });
  page.window.navigator.sendBeacon = () => { throw new TypeError("refused"); };
  page.api.acceptAll();
  assert.deepEqual(stored(page).c, { analytics: true, advertising: true });
});

test("with receipts: the dialog quotes the choice's date and reference under its title", () => {
  const page = load({ receipts: true });
  page.api.show();
  const dialog = page.document.querySelector("dialog");
  const ref = dialog.querySelector("[class=ppc-ref]");
  assert.equal(dialog.querySelector("[class=ppc-body]").childNodes.indexOf(ref), 0);
  assert.equal(ref.textContent, "");
  button(dialog, "Reject all").click();
  page.api.show();
  const r = stored(page);
  const date = new Date(r.ts).toISOString().slice(0, 10);
  assert.equal(ref.textContent, `Your choice of ${date} has the reference ${r.id}.`);
});

test("a page's own settings button opens the dialog", async () => {
  const page = load({ markup: '<footer><a data-privacy-consent="settings" id="s">Cookie settings</a></footer>' });
  page.document.querySelector("[id=s]").click();
  assert.equal(page.document.querySelector("dialog").open, true);
  await flush();
});

test("a site with only the necessary category shows no banner; its settings link still opens the dialog, which lists it", async () => {
  const config = makeConfig();
  config.categories = config.categories.filter((c) => c.necessary);
  const page = load({ config, markup: '<footer><a data-privacy-consent="settings" id="s">Cookie settings</a></footer>' });
  assert.equal(banner(page), null);
  assert.ok(!page.document.body.style.paddingBottom);
  page.document.querySelector("[id=s]").click();
  const dialog = page.document.querySelector("dialog");
  assert.equal(dialog.open, true);
  assert.equal(dialog.querySelector("[name=necessary]").checked, true);
  await flush();
});

test("the dialog's code is loaded only when the dialog is first opened, from the bundle's folder, with its integrity", () => {
  const page = load();
  const dialogs = () => page.document.ran.filter((s) => s.src.includes(".dialog."));
  assert.deepEqual(dialogs(), []);
  assert.equal(page.document.querySelector("dialog"), null);
  page.api.show();
  const [script] = dialogs();
  assert.equal(script.src, "https://www.example.com/assets/" + CONFIG.dialog[0]);
  assert.equal(script.integrity, CONFIG.dialog[1]);
  assert.equal(script.crossOrigin, "anonymous");
  assert.equal(script.isConnected, false);
  // Its stylesheet, from its own folder, with its integrity and the script's nonce.
  const [link] = page.document.querySelectorAll("link");
  assert.deepEqual([link.rel, link.href, link.integrity, link.crossOrigin],
    ["stylesheet", "https://www.example.com/assets/consent.dialog.000000000000.css", "sha384-dialog-css", "anonymous"]);
  page.document.querySelector("dialog").close();
  page.api.show();
  assert.equal(dialogs().length, 1);
  assert.equal(page.document.querySelector("dialog").open, true);
  assert.equal(page.window.ppcDialog, undefined);
});

test("a dialog file that does not load leaves the banner's choices, and the next click tries again", () => {
  const page = load();
  const inserted = page.document._inserted;
  page.document._inserted = (node) => {
    if (node.tagName === "SCRIPT" && node.src.includes(".dialog.")) return node.onerror();
    inserted(node);
  };
  page.api.show();
  assert.equal(page.document.querySelector("dialog"), null);
  assert.equal(banner(page).hidden, false);
  page.document._inserted = inserted;
  page.api.show();
  assert.equal(page.document.querySelector("dialog").open, true);
});

test("the banner hides while the dialog is open, and is back when it closes with no choice", () => {
  const page = load();
  button(banner(page), "Manage choices").click();
  const dialog = page.document.querySelector("dialog");
  assert.equal(banner(page).hidden, true);
  dialog.close();
  dialog.onclose();
  assert.equal(banner(page).hidden, false);
  button(banner(page), "Manage choices").click();
  button(dialog, "Save choices").click();
  dialog.onclose();
  assert.equal(banner(page).hidden, true);
});
