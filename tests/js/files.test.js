// The runtime's files themselves: plain JavaScript (no template syntax), each saying at its top
// which names it takes from the others and which it provides, truthfully.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { RUNTIME, read } = require("./harness.js");

const FILES = fs.readdirSync(RUNTIME).filter((f) => f.endsWith(".js")).sort();
// The bundle's own names (bundle.js.j2's wrapper): not any file's.
const BUNDLE = ["CONFIG", "window", "document"];

// ``text`` without comments, strings and regular expression literals (roughly: enough for these
// files, whose regular expressions follow "(" or "!").
function code(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/\/\/.*$/gm, " ")
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""')
    .replace(/([(!,=]\s*)\/(?:[^/\\\n]|\\.)+\/[gimsuy]*/g, "$1/./");
}

// The names a file declares at its top level: function declarations and var lists.
function declared(text) {
  const src = code(text), names = [];
  for (const m of src.matchAll(/^function (\w+)/gm)) names.push(m[1]);
  for (const m of src.matchAll(/^var ([\s\S]*?);$/gm)) {
    let depth = 0, part = "";
    for (const ch of m[1] + ",") {
      if ("([{".includes(ch)) depth++;
      if (")]}".includes(ch)) depth--;
      if (ch === "," && depth === 0) {
        names.push(part.split("=")[0].trim());
        part = "";
      } else part += ch;
    }
  }
  return names;
}

function used(text) {
  return new Set(Array.from(code(text).matchAll(/(?<![.\w$])([A-Za-z_$][\w$]*)/g), (m) => m[1]));
}

// The header's claims: {"record.js": [...], ...} for "Takes from X:" lines, and "Provides:".
function header(text) {
  const top = text.slice(0, text.search(/^[^/\n]/m));
  const takes = {};
  let provides = [];
  const lines = top.split("\n").map((l) => l.replace(/^\/\/ ?/, ""));
  // A claim may go on over the next lines until a line that starts a new one or a blank line.
  const claims = [];
  for (const line of lines) {
    if (/^(Takes from|Provides:)/.test(line)) claims.push(line);
    else if (claims.length && line.trim() && !/^[A-Z]/.test(line)) claims[claims.length - 1] += " " + line;
    else if (!line.trim()) claims.push("");
  }
  for (const claim of claims.filter(Boolean)) {
    // Its words that could be names, leaving out what is in parentheses.
    const names = (text) => text.replace(/\([^)]*\)/g, " ").split(/[\s,.;]+/).filter((w) => /^[A-Za-z_$][\w$]*$/.test(w));
    const from = /^Takes from (the bundle|[\w.]+\.js)[^:]*: (.*)$/.exec(claim);
    if (from) takes[from[1] === "the bundle" ? "bundle" : from[1]] = names(from[2]);
    else if (claim.startsWith("Provides:")) provides = names(claim.slice(9));
  }
  return { takes, provides };
}

test("every runtime file is plain JavaScript: no template syntax", () => {
  for (const file of FILES) {
    const text = read(file);
    assert.doesNotMatch(text, /\{\{|\{%|\{#/, `${file} holds Jinja: only bundle.js.j2 may`);
  }
});

test("each file's header names what it takes from each other file, and what it provides", () => {
  const decl = Object.fromEntries(FILES.map((f) => [f, declared(read(f))]));
  for (const file of FILES) {
    const text = read(file);
    const { takes, provides } = header(text);
    const names = used(text);
    for (const other of FILES.filter((f) => f !== file)) {
      const actual = decl[other].filter((n) => names.has(n) && !decl[file].includes(n)).sort();
      const claimed = (takes[other] || []).filter((n) => decl[other].includes(n)).sort();
      assert.deepEqual(claimed, actual, `${file}: "Takes from ${other}:" should list ${actual.join(", ") || "nothing"}`);
    }
    const bundle = BUNDLE.filter((n) => names.has(n));
    const claimedBundle = (takes.bundle || []).filter((n) => BUNDLE.includes(n));
    assert.deepEqual(claimedBundle.sort(), bundle.sort(), `${file}: "Takes from the bundle:" should list ${bundle.join(", ")}`);
    const usedByOthers = decl[file].filter((n) => FILES.some((f) => f !== file && used(read(f)).has(n) && !decl[f].includes(n))).sort();
    assert.deepEqual(provides.filter((n) => decl[file].includes(n)).sort(), usedByOthers,
      `${file}: "Provides:" should list ${usedByOthers.join(", ")}`);
  }
});

test("no two files declare the same name", () => {
  const seen = {};
  for (const file of FILES) {
    for (const name of declared(read(file))) {
      assert.equal(seen[name], undefined, `${name} is declared in ${seen[name]} and ${file}`);
      seen[name] = file;
    }
  }
});

test("the files are the ones the harness stitches, and bundle.js.j2 only stitches and injects", () => {
  assert.deepEqual(FILES, ["dialog.js", "gate.js", "main.js", "receipts.js", "record.js", "ui.js"]);
  const template = fs.readFileSync(path.join(RUNTIME, "bundle.js.j2"), "utf8");
  const jinja = template.match(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g);
  assert.deepEqual(jinja, ["{{ config | tojson }}", "{% for source in sources %}", "{% include source %}", "{% endfor %}"]);
});
