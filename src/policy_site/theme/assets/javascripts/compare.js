/* Compare any two versions of the policy, in the browser.
 *
 * The archive page's form.policy-compare names two versions; each option's data-url is that
 * version's page, relative to the archive. Both pages are fetched from this site, parsed with
 * DOMParser (nothing in them loads or runs) and their policy text is diffed: block by block (LCS
 * over block texts), then word by word inside a pair of similar changed blocks. The result is
 * built with createElement/textContent only: the fetched markup is never inserted. */
(function () {
  'use strict';

  // Page chrome inside the article, not policy text.
  const CHROME = '.policy-languages,.policy-status,.policy-banner,.policy-notice,.policy-print-url,.policy-errata,' +
    '.headerlink,script,style';
  const BLOCKS = 'h1,h2,h3,h4,h5,h6,p,li,dt,dd,th,td,pre';
  const SKIP = CHROME + ',' + BLOCKS;

  const form = document.querySelector('form.policy-compare');
  const out = document.querySelector('.policy-compare__result');
  if (!form || !out) return;
  let latest = 0;
  // The page language's words, from the form's data-t-* attributes (policy_site/locale).
  const say = (key, parts) =>
    Object.entries(parts || {}).reduce((text, [name, value]) =>
      text.replace('{' + name + '}', value), form.dataset['t' + key]);

  // A new element; `kind` names its class, policy-compare__<kind>.
  function el(tag, kind, text) {
    const node = document.createElement(tag);
    if (kind) node.className = 'policy-compare__' + kind;
    if (text) node.textContent = text;
    return node;
  }

  // A block's own text: without chrome, and without the blocks nested in it (a list in a li).
  function ownText(node) {
    let text = '';
    for (const child of node.childNodes) {
      if (child.nodeType === 3) text += child.data;
      else if (child.nodeType === 1) {
        text += child.matches('br') ? ' ' : child.matches(SKIP) ? '' : ownText(child);
      }
    }
    return text;
  }

  // The article's blocks in document order: {tag, list, text, words, key}, where words are the
  // words and punctuation marks, each as [token, the whitespace after it].
  function extract(doc) {
    const article = doc.querySelector('article.md-content__inner');
    if (!article) throw new Error('no policy text');
    const blocks = [];
    for (const node of article.querySelectorAll(BLOCKS)) {
      if (node.closest(CHROME)) continue;
      const text = ownText(node).replace(/\s+/g, ' ').trim();
      if (!text) continue;
      const item = node.closest('li');
      let tag = item ? 'li' : node.localName;
      if (/^t[dh]$/.test(tag)) tag = 'p';
      let list = /^d[dt]$/.test(tag) ? 'dl' : ''; // the list element a li, dt or dd belongs in
      if (item) list = item.parentElement.localName;
      const tokens = text.matchAll(/([\p{L}\p{N}_]+|[^\s\p{L}\p{N}_])(\s?)/gu);
      const words = Array.from(tokens, (match) => [match[1], match[2]]);
      blocks.push({ tag, list, text, words, key: tag + list + ' ' + text });
    }
    return blocks;
  }

  function load(url) {
    return fetch(url, { credentials: 'same-origin' })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => extract(new DOMParser().parseFromString(html, 'text/html')));
  }

  // LCS of two string arrays, after trimming their common prefix and suffix. Returns the edit
  // script as a string: '=' keeps the next item of both, '-' deletes a's, '+' inserts b's.
  function diff(a, b) {
    let start = 0;
    let endA = a.length;
    let endB = b.length;
    while (start < endA && start < endB && a[start] === b[start]) start++;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
    const x = a.slice(start, endA);
    const y = b.slice(start, endB);
    const w = y.length + 1;
    const lcs = new Uint32Array((x.length + 1) * w); // lcs[i * w + j]: LCS of x[i:] and y[j:]
    for (let i = x.length - 1; i >= 0; i--) {
      for (let j = y.length - 1; j >= 0; j--) {
        lcs[i * w + j] = x[i] === y[j]
          ? lcs[(i + 1) * w + j + 1] + 1
          : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let ops = '='.repeat(start);
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
      const more = i < x.length;
      if (more && x[i] === y[j]) { ops += '='; i++; j++; }
      else if (more && (j === y.length || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
        ops += '-'; // on a tie, deletions first: a change reads as <del> then <ins>
        i++;
      } else { ops += '+'; j++; }
    }
    return ops + '='.repeat(a.length - endA);
  }

  // Whether two changed blocks are one block edited: at least half of their words are shared.
  function similar(a, b) {
    const words = (block) => block.text.match(/[\p{L}\p{N}]+/gu) || [];
    const [wordsA, wordsB] = [words(a), words(b)];
    const inB = new Set(wordsB);
    const shared = wordsA.filter((word) => inB.has(word)).length;
    return shared > 0 && 4 * shared >= wordsA.length + wordsB.length;
  }

  // Block-level changes: ['=', block], ['-', block], ['+', block] or ['~', old, new] (edited).
  // In each run of changed blocks, a deleted block pairs with the first later-inserted one with
  // the same tag and similar words; the inserted blocks before that one stay insertions.
  function compare(a, b) {
    const items = [];
    let gone = [];
    let added = [];
    const pair = () => {
      for (const old of gone) {
        const k = added.findIndex((block) => block.tag === old.tag && similar(old, block));
        const before = k < 0 ? [] : added.splice(0, k + 1);
        const edited = before.pop();
        for (const block of before) items.push(['+', block]);
        items.push(edited ? ['~', old, edited] : ['-', old]);
      }
      for (const block of added) items.push(['+', block]);
      gone = [];
      added = [];
    };
    let i = 0;
    let j = 0;
    for (const op of diff(a.map((x) => x.key), b.map((x) => x.key))) {
      if (op === '-') gone.push(a[i++]);
      else if (op === '+') added.push(b[j++]);
      else { pair(); items.push(['=', a[i++], b[j++]]); }
    }
    pair();
    return items;
  }

  // The words of an edited block into `parent`: kept text, then <del> and <ins> for each change.
  function inline(parent, a, b) {
    let kept = '';
    let gone = '';
    let added = '';
    let space = '';
    const flush = () => {
      if (!gone && !added) return;
      parent.append(kept);
      if (gone) parent.append(el('del', '', gone.trimEnd()));
      if (gone && added) parent.append(' ');
      if (added) parent.append(el('ins', '', added.trimEnd()));
      kept = space;
      gone = added = '';
    };
    let i = 0;
    let j = 0;
    // A single kept token between two changes joins them ('=' becomes '-+'): one readable change
    // instead of fragments around a shared "the" or ",".
    const ops = diff(a.map((t) => t[0]), b.map((t) => t[0])).replace(/([-+])=(?=[-+])/g, '$1-+');
    for (const op of ops) {
      if (op === '=') {
        flush();
        kept += a[i][0] + (a[i++][1] || b[j][1]); // a space if either version has one
        j++;
      } else if (op === '-') {
        gone += a[i].join('');
        if (!added) space = a[i][1];
        i++;
      } else {
        added += b[j].join('');
        space = b[j++][1];
      }
    }
    flush();
    parent.append(kept);
  }

  function render(items, from, to) {
    const result = new DocumentFragment();
    const title = el('h2', 'title', say('Title', { from, to }));
    result.append(title);
    if (items.every((item) => item[0] === '=')) result.append(el('p', 'message', say('None')));
    let same = null; // the <details> holding the current run of unchanged blocks, collapsed
    for (const [op, a, b] of items) {
      const block = b || a;
      // Headings stay visible, two levels down (under this h2): each change shows its section.
      const heading = /^h\d$/.test(block.tag);
      const tag = heading ? 'h' + Math.min(6, +block.tag[1] + 2) : block.tag;
      const node = el(tag, op === '=' ? '' : 'changed');
      let into = result;
      if (op === '=' && !heading) {
        if (!same) {
          same = result.appendChild(el('details', 'same'));
          same.append(el('summary', '', say('Same')));
        }
        into = same;
      } else same = null;
      if (op === '=') node.textContent = block.text;
      else if (op === '~') inline(node, a.words, b.words);
      else node.append(el(op === '+' ? 'ins' : 'del', '', block.text));
      if (block.list) {
        const last = into.lastElementChild;
        if (last && last.localName === block.list) into = last;
        else into = into.appendChild(el(block.list));
      }
      into.append(node);
    }
    return [result, title];
  }

  function show(content, focus) {
    out.replaceChildren(content);
    focus.tabIndex = -1;
    focus.focus();
  }

  function message(kind, text) {
    const node = el('p', kind, text);
    show(node, node);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const [from, to] = ['from', 'to'].map((name) => form.elements[name].selectedOptions[0]);
    const run = ++latest;
    out.hidden = false;
    if (!from || !to || from.value === to.value) {
      message('message', say('Two'));
      return;
    }
    out.replaceChildren(el('p', 'message', say('Loading')));
    // data-url is relative to this page, as fetch() resolves it.
    Promise.all([from, to].map((option) => load(option.dataset.url)))
      .then(([a, b]) => run === latest && show(...render(compare(a, b), from.text, to.text)))
      .catch(() => {
        const error = say('Error');
        if (run === latest) message('error', error);
      });
  });
})();
