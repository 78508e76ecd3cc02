// The consent record (record.js): what a cookie value must be to count as a choice, the cookie's
// rules, and the sweep. Anything odd fails closed: no choice, nothing optional granted.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load, makeConfig, recordValue } = require("./harness.js");

const CONFIG = makeConfig();
const BOTH = { analytics: true, advertising: false };
const DAY = 864e5;

// A page whose consent cookie holds ``value``; returns what _parse and _load make of it.
function parsed(value) {
  const page = load({ cookies: { tt_consent: value } });
  return { parse: page.get("_parse")(value), load: page.get("_load")(), page };
}

// A record's JSON text, with ``edit`` applied to the object first.
function edited(edit, c) {
  const r = { v: 1, id: "0123456789abcdef", ts: Date.now(), pv: CONFIG.revision, c: c || BOTH, gpc: false };
  edit(r);
  return encodeURIComponent(JSON.stringify(r));
}

test("a value exactly as _save writes it is the visitor's choice", () => {
  const value = recordValue(CONFIG, BOTH);
  const { parse, load: loaded, page } = parsed(value);
  assert.equal(JSON.stringify(parse), decodeURIComponent(value));
  assert.equal(JSON.stringify(loaded), decodeURIComponent(value));
  assert.equal(JSON.stringify(page.api.get()), decodeURIComponent(value));
  // No banner: there is a choice.
  assert.equal(page.document.querySelector("section"), null);
});

test("what _save writes, _parse reads back, and the cookie has the configured rules", () => {
  const page = load();
  const r = { v: 1, id: "fedcba9876543210", ts: Date.now(), pv: CONFIG.revision, c: { analytics: false, advertising: true }, gpc: true };
  const value = page.get("_save")(r);
  assert.deepEqual(JSON.parse(JSON.stringify(page.get("_parse")(value))), r);
  const written = page.document.jar.writes.at(-1);
  assert.match(written, /^tt_consent=[^;]+; Path=\/; Domain=\.example\.com; Max-Age=15724800; SameSite=Lax; Secure$/);
  const cookie = page.document.jar.cookies.filter((c) => c.name === "tt_consent");
  assert.equal(cookie.length, 1);
  assert.equal(cookie[0].domain, ".example.com");
});

test("over plain http the cookie is not Secure, and on another host it is this host's only", () => {
  const page = load({ url: "http://localhost:8000/privacy/" });
  page.get("_save")({ v: 1, id: "fedcba9876543210", ts: Date.now(), pv: CONFIG.revision, c: BOTH, gpc: false });
  assert.match(page.document.jar.writes.at(-1), /^tt_consent=[^;]+; Path=\/; Max-Age=15724800; SameSite=Lax$/);
});

const MALFORMED = {
  "missing": undefined,
  "empty": "",
  "not URI-encoded JSON": "%E0%A4%A",
  "not JSON": "yes",
  "JSON but no object": encodeURIComponent("[1,2]"),
  "null": encodeURIComponent("null"),
  "another version": edited((r) => { r.v = 2; }),
  "an earlier revision": edited((r) => { r.pv = "2006-01-01.00000000"; }),
  "an id too short": edited((r) => { r.id = "0123"; }),
  "an id in capitals": edited((r) => { r.id = "0123456789ABCDEF"; }),
  "an id as a number": edited((r) => { r.id = 1234567890123456; }),
  "a time as a string": edited((r) => { r.ts = String(r.ts); }),
  "a time more than a day ahead": edited((r) => { r.ts = Date.now() + 2 * DAY; }),
  "a time older than the cookie's life": edited((r) => { r.ts = Date.now() - 183 * DAY; }),
  "a category as a string": edited((r) => { r.c = { analytics: "true", advertising: false }; }),
  "a category missing": edited((r) => { r.c = { analytics: true }; }),
  "an unknown category": edited((r) => { r.c = { analytics: true, advertising: false, extra: true }; }),
  "the necessary category": edited((r) => { r.c = { necessary: true, analytics: true, advertising: false }; }),
  "categories in another order": edited((r) => { r.c = { advertising: false, analytics: true }; }),
  "fields in another order": encodeURIComponent(JSON.stringify({ id: "0123456789abcdef", v: 1, ts: Date.now(), pv: CONFIG.revision, c: BOTH, gpc: false })),
  "an extra field": edited((r) => { r.x = 1; }),
  "gpc as a number": edited((r) => { r.gpc = 1; }),
  "white space": encodeURIComponent(JSON.stringify({ v: 1, id: "0123456789abcdef", ts: Date.now(), pv: CONFIG.revision, c: BOTH, gpc: false }, null, 1)),
  "longer than 1024 characters": edited((r) => { r.id = "0123456789abcdef" + " ".repeat(1100); }),
};

for (const [name, value] of Object.entries(MALFORMED)) {
  test(`fails closed on a cookie with ${name}: no choice, nothing optional granted`, () => {
    const page = load({ cookies: value === undefined ? {} : { tt_consent: value } });
    if (value !== undefined) assert.equal(page.get("_parse")(value), null);
    assert.equal(page.get("_load")(), null);
    assert.equal(page.api.get(), null);
    const granted = page.get("state").granted;
    assert.deepEqual(Object.keys(granted), ["analytics", "advertising"]);
    assert.ok(Object.values(granted).every((v) => v === false));
    // The banner asks.
    assert.equal(page.document.querySelector("section").hidden, false);
  });
}

// Issue 24 point 3: a refusal holds under a later consent revision for cookie.refusalDays.
const REFUSED = { analytics: false, advertising: false };
const OLDER = { pv: "2006-01-01.00000000", ts: Date.now() - 100 * DAY };

test("a refusal under an older revision is in force: no banner, the record kept, Consent Mode denied", () => {
  const value = recordValue(CONFIG, REFUSED, OLDER);
  const { parse, load: loaded, page } = parsed(value);
  assert.equal(JSON.stringify(parse), decodeURIComponent(value));
  assert.equal(JSON.stringify(loaded), decodeURIComponent(value));
  assert.equal(page.api.get().pv, OLDER.pv); // its own revision, not rewritten
  assert.equal(page.document.jar.value("tt_consent"), value);
  assert.ok(!page.document.jar.writes.some((w) => w.startsWith("tt_consent=%")));
  assert.equal(page.document.querySelector("section"), null);
  const denied = { ad_storage: "denied", ad_user_data: "denied", ad_personalization: "denied", analytics_storage: "denied" };
  assert.deepEqual(JSON.parse(JSON.stringify(page.window.dataLayer.map((a) => Array.from(a)))),
    [["consent", "default", denied], ["consent", "update", denied]]);
  // A new choice is made under the revision in force, with the same id.
  page.api.acceptAll();
  assert.equal(page.api.get().pv, CONFIG.revision);
  assert.equal(page.api.get().id, "0123456789abcdef");
});

test("a choice granting anything under an older revision is not in force", () => {
  for (const c of [BOTH, { analytics: false, advertising: true }, { analytics: true, advertising: true }]) {
    const { parse, load: loaded, page } = parsed(recordValue(CONFIG, c, OLDER));
    assert.equal(parse, null);
    assert.equal(loaded, null);
    assert.equal(page.document.querySelector("section").hidden, false);
  }
});

test("a refusal older than refusalDays holds under its own revision only", () => {
  const config = makeConfig();
  config.cookie.refusalDays = 30;
  const old = { ts: Date.now() - 31 * DAY };
  const page = load({ config });
  assert.equal(page.get("_parse")(recordValue(config, REFUSED, { ...old, pv: OLDER.pv })), null);
  assert.notEqual(page.get("_parse")(recordValue(config, REFUSED, { ...old, pv: OLDER.pv, ts: Date.now() - 29 * DAY })), null);
  // Under the revision in force it is a choice like any other, for the cookie's life.
  assert.notEqual(page.get("_parse")(recordValue(config, REFUSED, old)), null);
});

test("a refusal whose categories are not today's is not in force under an older revision", () => {
  const added = makeConfig();
  added.categories.push({ ...added.categories[1], id: "personalisation" });
  const removed = makeConfig();
  removed.categories.pop();
  for (const config of [added, removed]) {
    const value = recordValue(config, REFUSED, OLDER);
    const page = load({ config, cookies: { tt_consent: value } });
    assert.equal(page.get("_load")(), null);
    assert.equal(page.api.get(), null);
    assert.equal(page.document.querySelector("section").hidden, false);
  }
});

test("a refusal under another revision is read as strictly as any record", () => {
  const page = load();
  for (const pv of [20060101, null, ["2006-01-01.00000000"], { pv: "x" }, true]) {
    assert.equal(page.get("_parse")(recordValue(CONFIG, REFUSED, { ...OLDER, pv })), null, JSON.stringify(pv));
  }
  assert.equal(page.get("_parse")(edited((r) => { r.pv = OLDER.pv; delete r.gpc; }, REFUSED)), null);
  assert.equal(page.get("_parse")(edited((r) => { r.pv = OLDER.pv; r.c.analytics = 0; }, { ...REFUSED })), null);
  assert.equal(page.get("_parse")(edited((r) => { r.pv = OLDER.pv; r.id = "0123"; }, REFUSED)), null);
  assert.equal(page.get("_parse")(edited((r) => { r.pv = OLDER.pv; r.ts = Date.now() - 183 * DAY; }, REFUSED)), null);
});

test("a polluted Object.prototype grants nothing", () => {
  const page = load();
  const proto = page.get("Object").prototype; // the page's own Object
  proto.analytics = true;
  try {
    assert.equal(page.get("_parse")(recordValue(CONFIG, { advertising: false })), null);
    assert.deepEqual(JSON.parse(JSON.stringify(page.get("_all")(false))), { analytics: false, advertising: false });
  } finally {
    delete proto.analytics;
  }
});

test("two copies with one value are one choice", () => {
  const value = recordValue(CONFIG, BOTH);
  const page = load();
  page.document.jar.put("tt_consent", value, { domain: ".example.com" });
  page.document.jar.put("tt_consent", value, { path: "/shop" });
  assert.equal(JSON.stringify(page.get("_load")()), decodeURIComponent(value));
});

test("two copies with different values: the stray one goes, and the runtime's own copy counts", () => {
  const page = load();
  const own = recordValue(CONFIG, BOTH), stray = recordValue(CONFIG, { analytics: true, advertising: true });
  page.document.jar.put("tt_consent", own, { domain: ".example.com" });
  page.document.jar.put("tt_consent", stray, { path: "/shop" });
  assert.equal(JSON.stringify(page.get("_load")()), decodeURIComponent(own));
  assert.deepEqual(page.document.jar.cookies.map((c) => [c.domain, c.path]), [[".example.com", "/"]]);
});

test("two copies with different values where one cannot be deleted: no choice", () => {
  const page = load();
  page.document.jar.put("tt_consent", recordValue(CONFIG, BOTH), { domain: ".example.com" });
  page.document.jar.put("tt_consent", recordValue(CONFIG, { analytics: true, advertising: true }), { path: "/shop", locked: true });
  assert.equal(page.get("_load")(), null);
});

test("the sweep deletes every cookie and storage key not necessary or allowed, declared or not", () => {
  const page = load({
    cookies: { tt_session: "1", _ga: "GA1", _ga_X: "GA2", _fbp: "fb", unknown: "x" },
    storage: { "ga:client": "1", "other": "2" },
  });
  // Start-up swept with no choice: only the necessary cookies stay, and no storage key.
  assert.deepEqual(page.document.jar.cookies.map((c) => c.name), ["tt_session"]);
  assert.deepEqual(Object.keys(page.window.localStorage), []);
  page.document.jar.put("_ga", "GA1");
  page.document.jar.put("_fbp", "fb");
  page.window.localStorage.setItem("ga:client", "1");
  page.window.localStorage.setItem("other", "2");
  page.get("_sweep")({ analytics: true, advertising: false });
  assert.deepEqual(page.document.jar.cookies.map((c) => c.name), ["tt_session", "_ga"]);
  assert.deepEqual(Object.keys(page.window.localStorage), ["ga:client"]);
});

test("a cookie is deleted on every domain (not the public suffix) and path this page could have set it on", () => {
  const page = load({ url: "https://shop.example.com/a/b" });
  page.get("_expire")("_fbp");
  const writes = page.document.jar.writes.filter((w) => w.startsWith("_fbp="));
  const places = writes.filter((w) => !w.endsWith("Partitioned")).map((w) => w.replace("_fbp=; Max-Age=0", ""));
  assert.deepEqual(places.sort(), [
    "; Path=/", "; Path=/a", "; Path=/a/", "; Path=/a/b", "; Path=/a/b/",
    ...["/", "/a", "/a/", "/a/b", "/a/b/"].map((p) => "; Path=" + p + "; Domain=.example.com"),
    ...["/", "/a", "/a/", "/a/b", "/a/b/"].map((p) => "; Path=" + p + "; Domain=.shop.example.com"),
  ].sort());
  assert.equal(writes.filter((w) => w.endsWith("; Secure; Partitioned")).length, places.length);
});
