// The codicon style sheet of the webviews, cut down to the glyphs the pages use (see writeCodicons).
import * as fs from 'node:fs';
import * as path from 'node:path';
import subsetFont from 'subset-font';

const CODICONS = 'node_modules/@vscode/codicons/dist';
/** Where the pages' markup and styles live: the hosts' HTML helpers, the webview scripts, the style sheets. */
const SOURCES = [
  ['src', '.ts'],
  ['webview', '.ts'],
  ['media', '.css'],
];
/** Class names of codicon.css that are not glyphs. */
const NOT_GLYPHS = /^modifier-|^spin$/;

function filesUnder(dir, ext) {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p, ext) : e.name.endsWith(ext) ? [p] : [];
  });
}

/**
 * The codicon names the pages use, with where each is first used: every `codicon('name')` call and every
 * `codicon-name` class in the sources. A `codicon(…)` call whose argument is not one string literal fails the
 * build, since its glyph could not be kept.
 */
export function usedCodicons(root = '.') {
  const used = new Map();
  for (const [dir, ext] of SOURCES) {
    for (const file of filesUnder(path.join(root, dir), ext)) {
      const text = fs.readFileSync(file, 'utf8');
      const at = (index) => `${path.relative(root, file)}:${text.slice(0, index).split('\n').length}`;
      for (const m of text.matchAll(/(?<![\w.])codicon\(([^)]*)\)/g)) {
        const literal = /^\s*'([a-z0-9-]+)'\s*$/.exec(m[1]);
        if (!literal) {
          if (/^\s*\w+\s*:\s*string\s*$/.test(m[1])) {
            continue; // the helper's own declaration
          }
          throw new Error(`${at(m.index)}: codicon(${m[1]}) must name its glyph as one string literal`);
        }
        if (!used.has(literal[1])) {
          used.set(literal[1], at(m.index));
        }
      }
      for (const m of text.matchAll(/(?<![\w-])codicon-([a-z0-9][a-z0-9-]*)/g)) {
        if (!NOT_GLYPHS.test(m[1]) && !used.has(m[1])) {
          used.set(m[1], at(m.index));
        }
      }
    }
  }
  return used;
}

/** name → code point, from codicon.css's `.codicon-name:before { content: "\ea60" }` rules. */
function glyphTable(css) {
  const table = new Map();
  for (const m of css.matchAll(/\.codicon-([a-z0-9-]+):before\s*\{\s*content:\s*"\\([0-9a-f]+)"\s*\}/gi)) {
    table.set(m[1], parseInt(m[2], 16));
  }
  if (table.size < 100) {
    throw new Error(
      `${CODICONS}/codicon.css no longer has its glyph rules in the expected form: update tools/build/codicons.mjs`,
    );
  }
  return table;
}

/**
 * Writes dist/codicons/codicon.css: the @font-face with a font holding only the used glyphs, inlined as a data:
 * URI (a font fetched later, when a glyph is first drawn, can still be in flight when the tab closes, and this
 * workbench's webview resource loading then stalls for every webview for half a minute), the base rule and one
 * rule per used name. An unknown name fails the build. Returns the names and the size written.
 */
export async function writeCodicons(root = '.') {
  const css = fs.readFileSync(path.join(root, CODICONS, 'codicon.css'), 'utf8');
  const table = glyphTable(css);
  const used = usedCodicons(root);
  const unknown = [...used].filter(([name]) => !table.has(name));
  if (unknown.length) {
    throw new Error(
      `unknown codicon name(s): ${unknown.map(([n, where]) => `"${n}" (${where})`).join(', ')}; see ${CODICONS}/codicon.csv`,
    );
  }
  const names = [...used.keys()].sort();
  const codePoints = [...new Set(names.map((n) => table.get(n)))];
  const ttf = fs.readFileSync(path.join(root, CODICONS, 'codicon.ttf'));
  const font = await subsetFont(ttf, String.fromCodePoint(...codePoints), { targetFormat: 'truetype' });
  const base = /\.codicon\[class\*='codicon-'\]\s*\{[^}]*\}/.exec(css);
  if (!base) {
    throw new Error(`${CODICONS}/codicon.css has no .codicon[class*='codicon-'] rule: update tools/build/codicons.mjs`);
  }
  const out = [
    '/* Codicons (c) Microsoft Corporation, MIT License (@vscode/codicons); only the glyphs these pages use. */',
    `@font-face { font-family: "codicon"; font-display: block; src: url("data:font/ttf;base64,${font.toString('base64')}") format("truetype"); }`,
    base[0].replace(/\n\s*/g, ' '),
    ...names.map((n) => `.codicon-${n}:before { content: "\\${table.get(n).toString(16)}" }`),
    '',
  ].join('\n');
  fs.mkdirSync(path.join(root, 'dist/codicons'), { recursive: true });
  fs.writeFileSync(path.join(root, 'dist/codicons/codicon.css'), out);
  fs.rmSync(path.join(root, 'dist/codicons/codicon.ttf'), { force: true });
  return { names, bytes: Buffer.byteLength(out) };
}
