// A minimal page for the consent runtime's unit tests: just the DOM, cookie jar, storage and
// browser objects the runtime (src/policy_site/consent/runtime/) uses, with no dependency.
// The real browser is tests/browser (Chromium); this is for fast checks of the logic.
"use strict";

// Selectors as the runtime writes them: "tag", "[attr]", "[attr=value]", ":not([attr])", and
// lists of those separated by commas.
function matches(el, selector) {
  return selector.split(",").some(function (one) {
    var m = /^([a-z0-9]*)((?:\[[^\]]+\]|:not\(\[[^\]]+\]\))*)$/i.exec(one.trim());
    if (!m) throw new Error("fakedom: unsupported selector " + selector);
    if (m[1] && el.tagName !== m[1].toUpperCase()) return false;
    var parts = m[2].match(/:not\(\[[^\]]+\]\)|\[[^\]]+\]/g) || [];
    return parts.every(function (part) {
      var not = part.startsWith(":not(");
      var inner = /\[([^\]=]+)(?:=["']?([^\]"']*)["']?)?\]/.exec(part);
      var name = inner[1];
      var ok = el.hasAttribute(name) && (inner[2] === undefined || el.getAttribute(name) === inner[2]);
      if (name === "disabled") ok = !!el.disabled;
      return not ? !ok : ok;
    });
  });
}

class Node {
  constructor(doc) {
    this.ownerDocument = doc;
    this.parentNode = null;
    this.childNodes = [];
  }
  _adopt(child, index) {
    if (typeof child === "string") child = new Text(this.ownerDocument, child);
    if (child.parentNode) child.parentNode._detach(child);
    child.parentNode = this;
    this.childNodes.splice(index, 0, child);
    this.ownerDocument._inserted(child);
    return child;
  }
  _detach(child) {
    var i = this.childNodes.indexOf(child);
    if (i >= 0) this.childNodes.splice(i, 1);
    child.parentNode = null;
  }
  append() {
    for (var i = 0; i < arguments.length; i++) this._adopt(arguments[i], this.childNodes.length);
  }
  prepend() {
    for (var i = arguments.length - 1; i >= 0; i--) this._adopt(arguments[i], 0);
  }
  insertBefore(node, ref) {
    var i = this.childNodes.indexOf(ref);
    if (i < 0) throw new Error("fakedom: insertBefore: not a child");
    return this._adopt(node, i);
  }
  replaceChild(node, old) {
    var i = this.childNodes.indexOf(old);
    if (i < 0) throw new Error("fakedom: replaceChild: not a child");
    this._detach(old);
    return this._adopt(node, i);
  }
  remove() {
    if (this.parentNode) this.parentNode._detach(this);
  }
  get textContent() {
    return this.childNodes.map(function (c) { return c.textContent; }).join("");
  }
  set textContent(text) {
    this.childNodes.forEach(function (c) { c.parentNode = null; });
    this.childNodes = [];
    if (text) this._adopt(String(text), 0);
  }
  // Every element below this node, in document order.
  _elements() {
    var out = [];
    this.childNodes.forEach(function (c) {
      if (c instanceof Element) out.push(c, ...c._elements());
    });
    return out;
  }
  querySelectorAll(selector) {
    return this._elements().filter(function (e) { return matches(e, selector); });
  }
  querySelector(selector) {
    return this.querySelectorAll(selector)[0] || null;
  }
  get isConnected() {
    var n = this;
    while (n.parentNode) n = n.parentNode;
    return n === this.ownerDocument;
  }
}

class Text extends Node {
  constructor(doc, text) {
    super(doc);
    this.data = text;
  }
  get textContent() {
    return this.data;
  }
}

// Properties that reflect an attribute of the same name (className: "class").
var REFLECTED = { id: "id", name: "name", type: "type", src: "src", srcset: "srcset", href: "href", className: "class" };

class Element extends Node {
  constructor(doc, tag) {
    super(doc);
    this.tagName = tag.toUpperCase();
    this._attrs = new Map();
    this.hidden = false;
    this.style = {};
    this.disabled = false;
    this.checked = false;
    if (this.tagName === "SCRIPT") {
      this.nonce = "";
      this.async = true; // a script made by createElement is async until told otherwise
      this.onload = this.onerror = null;
    }
    if (this.tagName === "DIALOG") this.open = false;
  }
  get attributes() {
    return Array.from(this._attrs, function (e) { return { name: e[0], value: e[1] }; });
  }
  getAttribute(name) {
    return this._attrs.has(name) ? this._attrs.get(name) : null;
  }
  setAttribute(name, value) {
    this._attrs.set(name, String(value));
  }
  hasAttribute(name) {
    return this._attrs.has(name);
  }
  removeAttribute(name) {
    this._attrs.delete(name);
  }
  matches(selector) {
    return matches(this, selector);
  }
  closest(selector) {
    for (var n = this; n instanceof Element; n = n.parentNode) if (n.matches(selector)) return n;
    return null;
  }
  // A script's text (what an inline one runs).
  get text() {
    return this.textContent;
  }
  set text(value) {
    this.textContent = value;
  }
  get offsetHeight() {
    return this.hidden ? 0 : 80;
  }
  focus() {
    this.ownerDocument.activeElement = this;
  }
  showModal() {
    this.open = true;
  }
  close() {
    this.open = false;
  }
  click() {
    if (this.onclick) this.onclick({ target: this });
    this.ownerDocument.dispatchEvent({ type: "click", target: this });
  }
}
Object.keys(REFLECTED).forEach(function (prop) {
  Object.defineProperty(Element.prototype, prop, {
    get: function () { return this.getAttribute(REFLECTED[prop]) || ""; },
    set: function (v) { this.setAttribute(REFLECTED[prop], v); },
  });
});

// One cookie per name, domain ("" for this host only) and path, as a browser keeps them. A copy
// marked ``locked`` cannot be changed from the page (as one in another partition).
class CookieJar {
  constructor(location) {
    this.location = location;
    this.cookies = [];
    this.writes = [];
  }
  _visible(c) {
    var host = "." + this.location.hostname, path = this.location.pathname;
    var domainOk = c.domain === "" || host.endsWith(c.domain);
    var pathOk = c.path === "/" || path === c.path || path.startsWith(c.path.endsWith("/") ? c.path : c.path + "/");
    return domainOk && pathOk;
  }
  get() {
    var self = this;
    return this.cookies.filter(function (c) { return self._visible(c); })
      .map(function (c) { return c.name + "=" + c.value; }).join("; ");
  }
  set(text) {
    this.writes.push(text);
    var parts = text.split(";").map(function (s) { return s.trim(); });
    var eq = parts[0].indexOf("=");
    var c = { name: parts[0].slice(0, eq), value: parts[0].slice(eq + 1), domain: "", path: "/", partitioned: false };
    var maxAge = null;
    parts.slice(1).forEach(function (p) {
      var kv = p.split("="), key = kv[0].toLowerCase();
      if (key === "domain") c.domain = kv[1].startsWith(".") ? kv[1] : "." + kv[1];
      if (key === "path") c.path = kv[1];
      if (key === "max-age") maxAge = +kv[1];
      if (key === "partitioned") c.partitioned = true;
    });
    var same = function (o) {
      return o.name === c.name && o.domain === c.domain && o.path === c.path && o.partitioned === c.partitioned;
    };
    var old = this.cookies.find(same);
    if (old && old.locked) return;
    this.cookies = this.cookies.filter(function (o) { return !same(o); });
    if (maxAge === null || maxAge > 0) this.cookies.push(c);
  }
  // Sets a cookie as a server or a tag would (replacing the one of the same name, domain and
  // path): ``options`` domain, path, locked.
  put(name, value, options) {
    var c = Object.assign({ name: name, value: value, domain: "", path: "/", partitioned: false }, options);
    this.cookies = this.cookies.filter(function (o) {
      return !(o.name === c.name && o.domain === c.domain && o.path === c.path && o.partitioned === c.partitioned);
    });
    this.cookies.push(c);
  }
  value(name) {
    var c = this.cookies.find(function (o) { return o.name === name; });
    return c ? c.value : undefined;
  }
}

class FakeStorage {
  setItem(key, value) {
    this[key] = String(value);
  }
  removeItem(key) {
    delete this[key];
  }
}

class Document extends Node {
  constructor(location) {
    super(null);
    this.ownerDocument = this;
    this.jar = new CookieJar(location);
    this.readyState = "complete";
    this.hidden = false;
    this.activeElement = null;
    this.listeners = {};
    this.events = [];
    this.ran = []; // scripts inserted (a browser would run them), in order
    this.observers = [];
    this.documentElement = new Element(this, "html");
    this.documentElement.classList = { names: new Set(), add: function (n) { this.names.add(n); } };
    this.body = new Element(this, "body");
    this.childNodes = [this.documentElement];
    this.documentElement.parentNode = this;
    this.documentElement.childNodes = [this.body];
    this.body.parentNode = this.documentElement;
  }
  get cookie() {
    return this.jar.get();
  }
  set cookie(text) {
    this.jar.set(text);
  }
  createElement(tag) {
    return new Element(this, tag);
  }
  addEventListener(type, f) {
    (this.listeners[type] = this.listeners[type] || []).push(f);
  }
  dispatchEvent(event) {
    this.events.push(event);
    (this.listeners[event.type] || []).forEach(function (f) { f(event); });
    return true;
  }
  _inserted(node) {
    if (!node.isConnected) return;
    var self = this;
    [node].concat(node._elements ? node._elements() : []).forEach(function (el) {
      // What a browser runs: JavaScript (no type, or a JavaScript MIME type) or a module.
      if (el.tagName === "SCRIPT" && /^(|text\/javascript|module)$/.test(el.type)) self.ran.push(el);
    });
    this.observers.forEach(function (o) { o._queue(node); });
  }
  // Parses the little markup the tests write: elements with attributes, text, and nesting.
  html(markup) {
    var root = new Element(this, "div"), stack = [root], re = /<(\/?)([a-z0-9]+)([^>]*)>|([^<]+)/gi, m;
    while ((m = re.exec(markup))) {
      if (m[4]) { stack[stack.length - 1].append(m[4]); continue; }
      if (m[1]) { stack.pop(); continue; }
      var el = this.createElement(m[2]), attr = /([\w-]+)(?:="([^"]*)")?/g, a;
      while ((a = attr.exec(m[3]))) el.setAttribute(a[1], a[2] === undefined ? "" : a[2]);
      stack[stack.length - 1].append(el);
      if (!/^(img|link|input|source)$/i.test(m[2])) stack.push(el);
    }
    return root.childNodes.slice();
  }
}

class MutationObserver {
  constructor(doc, callback) {
    this.doc = doc;
    this.callback = callback;
    this.pending = [];
  }
  observe() {
    this.doc.observers.push(this);
  }
  _queue(node) {
    var self = this;
    if (!this.pending.length) queueMicrotask(function () {
      var added = self.pending;
      self.pending = [];
      self.callback([{ addedNodes: added }]);
    });
    this.pending.push(node);
  }
}

// A window for one page: ``options`` url, gpc (Global Privacy Control), storage (initial
// localStorage items).
function makeWindow(options) {
  options = options || {};
  var url = new URL(options.url || "https://www.example.com/shop/item");
  var location = {
    hostname: url.hostname, pathname: url.pathname, protocol: url.protocol, reloads: 0,
    reload: function () { this.reloads++; },
  };
  var document = new Document(location);
  var beacons = [];
  var localStorage = new FakeStorage(), sessionStorage = new FakeStorage();
  Object.keys(options.storage || {}).forEach(function (k) { localStorage.setItem(k, options.storage[k]); });
  var window = {
    document: document, location: location, localStorage: localStorage, sessionStorage: sessionStorage,
    navigator: {
      globalPrivacyControl: !!options.gpc,
      sendBeacon: function (url, blob) { beacons.push({ url: url, blob: blob }); return true; },
    },
    // What a browser has beyond the language's own objects (the vm context gives those).
    // (Node 18, Debian 12's, has Web Crypto only as node:crypto's webcrypto, not as a global.)
    crypto: require("node:crypto").webcrypto, console: console, Blob: Blob, queueMicrotask: queueMicrotask,
    CustomEvent: function (type, init) { this.type = type; this.detail = init && init.detail; },
    MutationObserver: function (callback) { return new MutationObserver(document, callback); },
    beacons: beacons,
    addEventListener: function () {},
  };
  window.window = window;
  return window;
}

module.exports = { makeWindow: makeWindow, matches: matches };
