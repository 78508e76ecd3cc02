// The dialog: a native modal <dialog> (the page behind is dimmed and inert, Escape closes it, and
// neither is a choice; on closing, the browser gives focus back to what had it before). Its title
// and close button stay at the top and the three choices at the bottom; the categories scroll
// between them. While it is open the banner is hidden; it comes back if the dialog closes with no
// choice made.
//
// A file of its own, which ui.js loads the first time the dialog is asked for: it hands
// window.ppcDialog its open and close, and is given the kit (K) of what it needs of the bundle.
// Its stylesheet is one of its own too (dialog.css), loaded at the first opening.
//
// Takes from the bundle: CONFIG (the dialog's own: its texts and the categories), window,
// document.

var K = window.ppcDialog({ open: _open, close: _close }), _words = CONFIG.texts, _box, _ref, _from, _css,
  // This file's own script element, read while it runs: its stylesheet is loaded like it.
  _self = document.currentScript,
  // Each switch: [its input, its category, its service (null for the whole category)].
  _switches = [];

// A switch (a checkbox with role switch) labelled ``text``, for category ``id`` or its service
// ``sid``; a necessary category's is on and cannot be changed.
function _switch(text, id, sid, necessary) {
  var label = K.el("label"), box = K.el("input"), x = [box, id, sid];
  box.type = "checkbox";
  box.name = sid || id;
  box.setAttribute("role", "switch");
  box.checked = box.disabled = necessary;
  label.append(box, " " + text);
  if (!necessary) _switches.push(x);
  box.onchange = function () { _follow(x); };
  return label;
}

// In a category chosen per service, the category's switch turns each of its services' on or off,
// and a service's turns the category's on while one of them is on.
function _follow(x) {
  _switches.forEach(function (y) {
    if (y[1] === x[1] && !x[2] && y[2]) y[0].checked = x[0].checked;
    if (y[1] === x[1] && x[2] && !y[2]) y[0].checked = _switches.some(function (z) { return z[1] === x[1] && z[2] && z[0].checked; });
  });
}

function _build() {
  var head = K.el("div", "ppc-head"), body = K.el("div", "ppc-body"), title = K.el("h2", "", _words.dialog_title),
    close = K.button("×", _close);
  _box = K.el("dialog", "ppc-dialog");
  _box.setAttribute("aria-labelledby", (title.id = "ppc-title"));
  title.tabIndex = -1;
  close.className += " ppc-close";
  close.setAttribute("aria-label", _words.close);
  head.append(title, close);
  // With receipts on, a line for the choice's reference (see _open).
  if (CONFIG.receipts) body.append((_ref = K.el("p", "ppc-ref")));
  if (K.gpc) body.append(K.el("p", "ppc-gpc", _words.gpc));
  // Each category has a switch; one of two or more services chosen on their own (each with an
  // id) opens to a switch per service, under it.
  CONFIG.categories.forEach(function (c) {
    var row = K.el("div", "ppc-category"), each = K.el("div", "ppc-each");
    row.append(_switch(c.title + (c.necessary ? " (" + _words.always_on + ")" : ""), c.id, null, c.necessary), K.el("p", "", c.description));
    each.setAttribute("role", "group");
    each.setAttribute("aria-label", c.title);
    c.services.forEach(function (x) { if (x[0]) each.append(_switch(x[1], c.id, x[0])); });
    if (each.childNodes.length) row.append(each);
    else if (c.services.length) row.append(K.el("p", "ppc-services", c.services.map(function (x) { return x[1]; }).join(", ")));
    body.append(row);
  });
  _box.append(head, body, K.actions("d", _words.save, _chosen));
  // Tab and Shift+Tab go round inside the dialog, never out to the page or the browser.
  _box.onkeydown = function (e) {
    var all = _box.querySelectorAll("button,input:not([disabled])"), n = all.length - 1,
      at = document.activeElement;
    if (e.key === "Tab" && (e.shiftKey ? at === all[0] || at === title : at === all[n])) {
      e.preventDefault();
      all[e.shiftKey ? n : 0].focus();
    }
  };
  // Closed with no choice (Escape, ×): the banner is back while there is none, and the focus with
  // what had it (the browser gives it back before the banner shows, to a hidden button).
  _box.onclose = function () {
    K.banner(K.state.record);
    if (_from) _from.focus();
  };
  document.body.append(_box);
}

function _open() {
  // The dialog's stylesheet (dialog.css) first, from this file's folder, with its integrity: the
  // dialog opens once it is in (or failed: then with the browser's own styles).
  if (!_css) {
    _css = K.el("link");
    _css.rel = "stylesheet";
    _css.href = _self.src.replace(/[^/]*$/, CONFIG.css[0]);
    _css.integrity = CONFIG.css[1];
    _css.crossOrigin = "anonymous";
    _css.nonce = _self.nonce;
    _css.onload = _css.onerror = function () {
      _css.done = 1;
      _open();
    };
    return document.body.append(_css);
  }
  if (!_css.done) return;
  if (!_box) _build();
  _switches.forEach(function (x) { x[0].checked = K.grants(K.state.record, x[1], x[2]); });
  // With receipts on, the choice's date and reference, to quote in a question.
  if (_ref) _ref.textContent = _reference(K.state.record);
  if (!_box.open) _from = document.activeElement;
  K.banner(1);
  if (!_box.open) _box.showModal();
  _box.querySelector("h2").focus();
}

function _close() {
  if (_box && _box.open) _box.close();
}

// The choice the switches show: each optional category, as own keys, and each service chosen on
// its own, whose category is on while one of them is (main.js).
function _chosen() {
  var c = K.all(false), s = {};
  _switches.forEach(function (x) { if (!x[2]) c[x[1]] = x[0].checked; });
  _switches.forEach(function (x) { if (x[2]) c[x[1]] = !!(s[x[2]] = x[0].checked) || c[x[1]]; });
  K.choose(c, "d", s);
}

// Record ``r``'s date (ISO 8601, as the receipts give it) and reference (the id its receipts
// carry), for the visitor to quote in a question; "" without a record.
function _reference(r) {
  return r ? _words.reference.replace("{date}", new Date(r.ts).toISOString().slice(0, 10)).replace("{id}", r.id) : "";
}
