// Gated markup (the contract page authors write) comes alive only for an allowed category and,
// where it names one (data-service), an allowed service of it:
//   <script type="text/plain" data-category="..." [data-service="..."] [src]>
//   <img|iframe data-category [data-service] data-src>
//
// Takes from the bundle: CONFIG, document.
// Takes from record.js: SERVICES, _each, _grants, _services.
// Takes from ui.js: T, _el, _button.
// Takes from main.js: state, _choose.
// Provides: _category, _enableAll, _watch, _ran (to main.js).

// _ran: what has run, as [category, service or null]: withdrawing it reloads the page (main.js).
var SELECTOR = "[data-category]", _ran = [], _queue = Promise.resolve();

function _category(id) {
  return CONFIG.categories.filter(function (c) { return c.id === id; })[0];
}

function _allowed(id, sid) {
  var c = _category(id);
  return !!c && (c.necessary || _grants(state.record, id, sid));
}

// Scripts run one after another in document order; an external one is awaited unless async.
function _run(old) {
  return new Promise(function (done) {
    var s = document.createElement("script");
    _each(old.attributes, function (a) {
      if (!/^(type|data-(category|service|type))$/.test(a.name)) s.setAttribute(a.name, a.value);
    });
    if (old.nonce) s.nonce = old.nonce;
    if (old.getAttribute("data-type")) s.type = old.getAttribute("data-type");
    if (old.hasAttribute("src")) {
      s.async = old.hasAttribute("async");
      s.onload = s.onerror = done;
      if (s.async) done();
    } else {
      s.text = old.text;
    }
    old.parentNode.replaceChild(s, old);
    if (!old.hasAttribute("src")) done();
  });
}

function _enable(el) {
  var id = el.getAttribute("data-category"), sid = el.getAttribute("data-service");
  if (el._ppc || !_allowed(id, sid)) return _placeholder(el, id, sid);
  el._ppc = 1;
  _ran.push([id, sid]);
  if (el.tagName === "SCRIPT") {
    if (el.type === "text/plain") _queue = _queue.then(function () { return _run(el); });
    return;
  }
  ["srcset", "src"].forEach(function (name) {
    if (el.hasAttribute("data-" + name)) el.setAttribute(name, el.getAttribute("data-" + name));
  });
  if (el._ppcBox) {
    el._ppcBox.remove();
    el.hidden = false;
  }
}

// An iframe waiting for consent shows why, with a button that allows its category, or its service
// where that is chosen on its own (and nothing else of the category).
function _placeholder(el, id, sid) {
  var c = _category(id), x = SERVICES.filter(function (x) { return x[0] === sid && x[1] === id; })[0],
    name = x ? x[2] : c && c.title;
  if (el.tagName !== "IFRAME" || el._ppcBox || !c) return;
  var box = _el("div", "ppc-placeholder");
  box.append(_el("p", "", T.blocked + " " + name + "."), _button(T.allow + " " + name, function () {
    var choice = Object.assign({}, state.granted), s = _services(choice, state.record && state.record.s) || {};
    choice[id] = true;
    SERVICES.forEach(function (y) { if (y[1] === id && (!x || y === x)) s[y[0]] = true; });
    _choose(choice, "p", s);
  }));
  el.parentNode.insertBefore(box, el);
  el._ppcBox = box;
  el.hidden = true;
}

function _enableAll(root) {
  if (root.matches && root.matches(SELECTOR)) _enable(root);
  if (root.querySelectorAll) _each(root.querySelectorAll(SELECTOR), _enable);
}

function _watch() {
  new MutationObserver(function (changes) {
    // Text nodes too: _enableAll passes over what has no elements.
    changes.forEach(function (change) { _each(change.addedNodes, _enableAll); });
  }).observe(document.documentElement, { childList: true, subtree: true });
}
