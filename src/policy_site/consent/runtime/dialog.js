// The dialog: a native modal <dialog> (the page behind is dimmed and inert, Escape closes it, and
// neither is a choice; on closing, the browser gives focus back to what had it before). Its title
// and close button stay at the top and the three choices at the bottom; the categories scroll
// between them. While it is open the banner is hidden; it comes back if the dialog closes with no
// choice made.
//
// A file of its own, which ui.js loads the first time the dialog is asked for: it hands
// window.ppcDialog its open and close, and is given the kit (K) of what it needs of the bundle.
//
// Takes from the bundle: CONFIG (the dialog's own: its texts and the categories), window,
// document.

var K = window.ppcDialog({ open: _open, close: _close }), _words = CONFIG.texts, _box, _ref, _from;

function _input(id) {
  return _box.querySelector("[name=" + id + "]");
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
  CONFIG.categories.forEach(function (c) {
    var row = K.el("div", "ppc-category"), label = K.el("label"), box = K.el("input");
    box.type = "checkbox";
    box.name = c.id;
    box.setAttribute("role", "switch");
    box.checked = box.disabled = c.necessary;
    label.append(box, " " + c.title + (c.necessary ? " (" + _words.always_on + ")" : ""));
    row.append(label, K.el("p", "", c.description));
    if (c.services.length) row.append(K.el("p", "ppc-services", c.services.join(", ")));
    body.append(row);
  });
  _box.append(head, body, K.actions("d", _words.save, function () { K.choose(_choice(), "d"); }));
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
  if (!_box) _build();
  CONFIG.categories.forEach(function (c) { if (!c.necessary) _input(c.id).checked = !!K.state.granted[c.id]; });
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

// The choice the switches show: each optional category, as own keys.
function _choice() {
  var c = K.all(false);
  Object.keys(c).forEach(function (id) { c[id] = _input(id).checked; });
  return c;
}

// Record ``r``'s date (ISO 8601, as the receipts give it) and reference (the id its receipts
// carry), for the visitor to quote in a question; "" without a record.
function _reference(r) {
  return r ? _words.reference.replace("{date}", new Date(r.ts).toISOString().slice(0, 10)).replace("{id}", r.id) : "";
}
