// Loads the consent runtime into a fake page (fakedom.js) as the build stitches it: the files of
// src/policy_site/consent/runtime/ inside bundle.js.j2's wrapper, with CONFIG injected, plus one
// test-only line that lets a test read the runtime's private names.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { makeWindow } = require("./fakedom.js");

const RUNTIME = path.join(__dirname, "..", "..", "src", "policy_site", "consent", "runtime");
// The order bundle.py's sources() gives (receipts.js only with receipts).
const SOURCES = ["ui.js", "gate.js", "record.js", "main.js"];
// The dialog's file, which the bundle loads when the dialog is first opened.
const DIALOG = "consent.en.dialog.000000000000.js", DIALOG_CSS = "consent.dialog.000000000000.css";

function read(name) {
  return fs.readFileSync(path.join(RUNTIME, name), "utf8");
}

const TEXTS = {
  accept_all: "Accept all", allow: "Allow", always_on: "always on", banner: "We use cookies.",
  blocked: "Blocked until you allow", close: "Close", dialog_title: "Cookie settings",
  gpc: "Global Privacy Control is respected.", manage: "Manage choices", policy_link: "Privacy policy",
  region: "Cookie choices", reject_all: "Reject all", save: "Save choices",
};

function category(id, necessary, gpc, cookies, storage) {
  return {
    id: id, necessary: necessary, gpc: gpc, title: id[0].toUpperCase() + id.slice(1),
    description: "About " + id + ".", services: [],
    cookies: cookies, storage: storage || [], idb: [], caches: [],
  };
}

// What bundle.py's runtime_config gives, for a site like the project's: ``receipts`` turns the
// receipts on (as consent.yml's receipts: does).
function makeConfig(options) {
  options = options || {};
  const receipts = !!options.receipts;
  const config = {
    cookie: { name: "tt_consent", domain: ".example.com", maxAge: 182, refusalDays: 182, sameSite: "Lax" },
    revision: "2007-10-01.347f14b9",
    policyUrl: "https://www.example.com/privacy/",
    receipts: receipts ? "/consent/receipts" : null,
    dialog: [DIALOG, "sha384-dialog"],
    consentMode: options.consentMode === false ? false : {
      ad_storage: [["advertising"]], ad_user_data: [["advertising"]],
      ad_personalization: [["advertising"]], analytics_storage: [["analytics"]],
    },
    categories: [
      category("necessary", true, false, ["^tt_session$", "^tt_consent$"]),
      category("analytics", false, false, ["^_ga($|_)"], ["^ga:"]),
      category("advertising", false, true, ["^_fbp$"]),
    ],
    texts: Object.assign({}, TEXTS, receipts ? { reference: "Your choice of {date} has the reference {id}." } : {}),
  };
  if (receipts) config.bundle = "consent.en.000000000000.js";
  // ``perService``: advertising is chosen per service, and Google's signals follow Google Ads.
  if (options.perService) {
    config.categories[2].services = [["google-ads", "Google Ads"], ["meta-pixel", "Meta Pixel"]];
    ["ad_storage", "ad_user_data", "ad_personalization"].forEach((k) => { config.consentMode[k] = [["advertising", "google-ads"]]; });
  }
  return config;
}

// The bundle's text: bundle.js.j2 with ``config`` and ``files`` in place of its Jinja, and a
// getter for the runtime's own names returned from the wrapper.
function bundleText(config, files) {
  const template = read("bundle.js.j2");
  const body = files.map(read).join("\n");
  const text = template
    .replace("{{ config | tojson }}", () => JSON.stringify(config))
    .replace(/\{% for source in sources %\}[\s\S]*\{% endfor %\}\n/, () => body + "\n")
    .replace("})(window, document);", "return function (name) { return eval(name); };\n})(window, document);");
  if (/\{\{|\{%/.test(text)) throw new Error("harness: bundle.js.j2 has Jinja this loader does not know");
  return text;
}

// What bundle.py's dialog_config gives for ``config``.
function dialogConfig(config) {
  return {
    receipts: !!config.receipts,
    css: [DIALOG_CSS, "sha384-dialog-css"],
    categories: config.categories.map((c) => ({
      id: c.id, necessary: c.necessary, title: c.title, description: c.description,
      services: c.services.length ? c.services : c.necessary ? [] : [["", "A " + c.id + " service"]],
    })),
    texts: config.texts,
  };
}

// A page with the runtime loaded. ``options``: receipts, consentMode (false: none), gpc, url,
// cookies (name -> value, set before load), storage (localStorage items), markup (the page's
// body, before the runtime loads), files (the runtime files, default: as the build stitches).
function load(options) {
  options = options || {};
  const config = options.config || makeConfig(options);
  const files = options.files || (config.receipts ? [...SOURCES.slice(0, -1), "receipts.js", "main.js"] : SOURCES);
  const window = makeWindow(options);
  const document = window.document;
  Object.entries(options.cookies || {}).forEach(([name, value]) => document.jar.put(name, value));
  if (options.markup) document.body.append(...document.html(options.markup));
  // The bundle's own script element, as a browser gives it while the bundle runs.
  document.currentScript = document.createElement("script");
  document.currentScript.src = "https://www.example.com/assets/consent.en.000000000000.js";
  const context = vm.createContext(window);
  // The dialog's file and its stylesheet, as a browser would load them when they are inserted: at
// once.
  const inserted = document._inserted.bind(document);
  document._inserted = (node) => {
    inserted(node);
    if (node.tagName === "SCRIPT" && node.src.endsWith("/assets/" + DIALOG)) {
      document.currentScript = node;
      vm.runInContext(bundleText(dialogConfig(config), ["dialog.js"]), context, { filename: DIALOG });
      node.onload();
    }
    if (node.tagName === "LINK" && node.href.endsWith("/assets/" + DIALOG_CSS)) node.onload();
  };
  const get = vm.runInContext(bundleText(config, files), context, { filename: "consent-bundle.js" });
  return { window, document, config, get, api: window.PrivacyConsent, flush };
}

// Lets queued promise callbacks and observers run.
function flush() {
  return new Promise((resolve) => setImmediate(resolve));
}

// A cookie value the runtime accepts: what its _save writes for choice ``c`` (by default made
// now, under ``config``'s revision).
function recordValue(config, c, fields) {
  const r = Object.assign({ v: 1, id: "0123456789abcdef", ts: Date.now(), pv: config.revision, c: c, gpc: false }, fields);
  return encodeURIComponent(JSON.stringify(r));
}

module.exports = { RUNTIME, SOURCES, load, makeConfig, recordValue, bundleText, read, flush };
