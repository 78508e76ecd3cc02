// Receipts: the proof of each choice, sent to consent.yml's receipts endpoint (the dialog quotes
// the reference they carry: dialog.js). The build adds this file only when consent.yml has
// receipts: (bundle.py's sources), and main.js calls it only when CONFIG.receipts is set.
//
// Takes from the bundle: CONFIG.
// Takes from main.js: _newId.
// Provides: _receipt (to main.js).

// The receipt goes before the choice applies (a withdrawal reloads the page): sendBeacon queues
// it, and the browser sends it even if the page is gone. It is the record itself, the choice it
// replaces (``before``'s categories, and its services where it has them), how it was made, this script's file and the page's path: the receiver
// derives the rest (receipts/validate.py), so that every page carries little code for it.
function _receipt(r, before, how) {
  try {
    navigator.sendBeacon(CONFIG.receipts, new Blob([JSON.stringify({
      v: 1, i: _newId(), r: r, o: before && before.c, q: before && before.s || null, m: how, b: CONFIG.bundle,
      p: location.pathname
    })], { type: "application/json" }));
  } catch (e) { /* no sendBeacon, or it refused: the choice applies all the same */ }
}
