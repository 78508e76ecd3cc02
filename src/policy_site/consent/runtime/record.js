// The consent record: one first-party cookie, read strictly (anything odd counts as no choice),
// and the sweep that deletes what the visitor has not allowed.
//
// Takes from the bundle: CONFIG, window, document.
// Takes from main.js: state.
// Provides: OPTIONAL (to ui.js, main.js), SERVICES, _services (to main.js), _each, _grants (to
// gate.js, main.js), _load, _parse, _save, _sweep (to main.js).

var NAME = CONFIG.cookie.name, DAY = 864e5,
  OPTIONAL = CONFIG.categories.filter(function (c) { return !c.necessary; }),
  // Each service chosen on its own (in a category of two or more): [its id, its category's, its
  // name]. A record then holds each one's choice too, as ``s``.
  SERVICES = [];
OPTIONAL.forEach(function (o) {
  o.services.forEach(function (x) { SERVICES.push([x[0], o.id, x[1]]); });
});

function _each(list, f) {
  Array.prototype.forEach.call(list, f);
}

// Each cookie this page sees, as [name, value].
function _cookies() {
  return document.cookie.split("; ").filter(Boolean).map(function (pair) {
    var eq = pair.indexOf("=");
    return eq < 0 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)];
  });
}

// Returns the visitor's record, or null: missing, malformed, tampered, duplicated with another
// value, from the future, expired, or given under another consent revision (but a refusal, below).
function _load(again) {
  var values = _cookies().filter(function (c) { return c[0] === NAME; }).map(function (c) { return c[1]; });
  // Two values: one was not written here (a tag, on another path or domain). Every copy but the
  // one at the runtime's own place goes, and the cookie is read again: what remains is that one,
  // or, where a copy cannot be deleted, still two values, and no choice.
  if (values.some(function (v) { return v !== values[0]; })) {
    if (again) return null;
    _expire(NAME, _domain() + "/");
    return _load(1);
  }
  return _parse(values[0]);
}

// The record a cookie value holds (or another tab sent), by the same rules, or null: exactly what
// _save writes (the same fields in the same order, each category once and as a boolean, the
// revision in force) with a well-formed id and a time within the cookie's life, or nothing.
// A refusal (every optional category false, today's categories) holds under any revision (its own
// pv, a string) for CONFIG.cookie.refusalDays: a category added or removed asks again.
function _parse(value) {
  try {
    if (!(value.length <= 1024)) return null;
    // current: truthy when the record needs the revision in force (older than a refusal holds,
    // or granting a category).
    var text = decodeURIComponent(value), r = JSON.parse(text), now = Date.now(), c = {}, s,
      current = r.ts < now - CONFIG.cookie.refusalDays * DAY;
    // Own keys only: for...in would also list what a page's script added to Object.prototype.
    OPTIONAL.forEach(function (o) { current |= c[o.id] = r.c[o.id] === true; });
    // Each service chosen on its own, on only while its category is. A record without them (as
    // written before services were chosen on their own) allows every service of a category.
    if (SERVICES.length && r.s) s = _services(c, r.s);
    return JSON.stringify({ v: 1, id: "" + r.id, ts: +r.ts, pv: current ? CONFIG.revision : "" + r.pv, c: c, s: s, gpc: r.gpc === true }) === text &&
      /^[0-9a-f]{16}$/.test(r.id) && r.ts <= now + DAY && r.ts >= now - CONFIG.cookie.maxAge * DAY ? r : null;
  } catch (e) {
    return null;
  }
}

// The choice of each service chosen on its own, for a choice of categories ``c``: on while its
// category is and, where ``s`` is given, ``s`` has it on (own keys only); none without such
// services.
function _services(c, s) {
  var out = {};
  SERVICES.forEach(function (x) { out[x[0]] = c[x[1]] && (!s || s[x[0]] === true); });
  return SERVICES.length ? out : undefined;
}

// Whether record ``r`` allows category ``id`` and, where given, its service ``sid``: a service
// chosen on its own needs its own choice on, in a record that has them.
function _grants(r, id, sid) {
  return !!r && r.c[id] === true &&
    (!sid || !r.s || !SERVICES.some(function (x) { return x[0] === sid; }) || r.s[sid] === true);
}

// The cookie's domain (".example.com" or ""): the configured one where this host is inside it,
// else this host only.
function _domain() {
  var d = CONFIG.cookie.domain;
  return ("." + location.hostname).slice(-d.length) === d ? d : "";
}

function _attrs(path, domain) {
  return "; Path=" + path + (domain ? "; Domain=" + domain : "");
}

// Every other copy goes first, on every domain and path this page reaches (a tag may have written
// one); the one on the cookie's own domain and "/" is overwritten in place.
function _save(r) {
  var domain = _domain(), value = encodeURIComponent(JSON.stringify(r));
  _expire(NAME, domain + "/");
  document.cookie = NAME + "=" + value + _attrs("/", domain) +
    "; Max-Age=" + CONFIG.cookie.maxAge * 86400 + "; SameSite=" + CONFIG.cookie.sameSite +
    (location.protocol === "https:" ? "; Secure" : "");
  return value;
}

// Every domain a page here could have set a cookie on: the host itself and each parent domain.
function _domains() {
  var parts = location.hostname.split("."), out = [""];
  if (!/^[\d.]+$/.test(location.hostname))
    for (var i = 0; i < parts.length - 1; i++) out.push("." + parts.slice(i).join("."));
  return out;
}

// Every path a page here could have set a cookie on: "/" and each folder above this page.
function _paths() {
  var out = ["/"], path = "";
  location.pathname.split("/").forEach(function (part) {
    if (part) out.push((path += "/" + part), path + "/");
  });
  return out;
}

// Deletes the cookie on every domain and path a page here could have set it on, but ``keep``
// (domain + path), and a partitioned (CHIPS) copy everywhere: that is deleted only with
// Partitioned and Secure (a page that is not secure cannot write it, nor see it).
function _expire(name, keep) {
  _domains().forEach(function (domain) {
    _paths().forEach(function (path) {
      var gone = name + "=; Max-Age=0" + _attrs(path, domain);
      if (domain + path !== keep) document.cookie = gone;
      document.cookie = gone + "; Secure; Partitioned";
    });
  });
}

function _kept(name, kind, granted) {
  return name === NAME || CONFIG.categories.some(function (c) {
    return (c.necessary || granted[c.id]) && c[kind].some(function (re) { return new RegExp(re).test(name); });
  });
}

// Allow-list: whatever is not necessary or in a category still allowed goes, declared or not:
// cookies, Web Storage keys, IndexedDB databases and Cache Storage caches.
function _sweep(granted) {
  _cookies().forEach(function (c) {
    if (!_kept(c[0], "cookies", granted)) _expire(c[0]);
  });
  [window.localStorage, window.sessionStorage].forEach(function (store) {
    try {
      Object.keys(store).forEach(function (key) {
        if (!_kept(key, "storage", granted)) store.removeItem(key);
      });
    } catch (e) { /* storage disabled: nothing stored to clear */ }
  });
  // IndexedDB databases and Cache Storage caches, where the browser has them: asynchronous, so
  // judged by the choice in force when the list arrives; a refusal (a private window) is ignored
  // (Object is a handler that does nothing).
  try {
    indexedDB.databases().then(function (all) {
      all.forEach(function (d) { if (!_kept(d.name, "idb", state.granted)) indexedDB.deleteDatabase(d.name); });
    }, Object);
  } catch (e) { /* no IndexedDB here */ }
  try {
    caches.keys().then(function (all) {
      all.forEach(function (name) { if (!_kept(name, "caches", state.granted)) caches.delete(name); });
    }, Object);
  } catch (e) { /* no Cache Storage here (it needs a secure context) */ }
}
