// The translations are complete and in step with the code: the English bundle is what `npm run l10n:export`
// extracts from src/ and webview/ today, every message has its zh-cn entry with the same placeholders, and the
// manifest's %keys% resolve in both languages. A failure lists every offending key, so a new string is one run away
// from its translation.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');
const LANGUAGES = ['zh-cn'];

type Bundle = Record<string, string | { message: string; comment: string[] }>;

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as T;
}

function message(v: Bundle[string]): string {
  return typeof v === 'string' ? v : v.message;
}

/** The placeholders of a message, sorted: `{0}`, `{1}`, `{name}`. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[0]).sort();
}

/** Links and code spans in Markdown (`command:…`, `` `klingVoice.x` ``, `#setting#`): a translation keeps them. */
function markup(text: string): string[] {
  return [
    ...[...text.matchAll(/\]\(([^)]+)\)/g)].map((m) => `link ${m[1]}`),
    ...[...text.matchAll(/`([^`]+)`/g)].map((m) => `code ${m[1]}`),
  ].sort();
}

/** Every problem of a translation against its English source, one line each. */
function compare(en: Bundle, translated: Bundle, language: string, file: string): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(en)) {
    if (!(key in translated)) {
      problems.push(`${file}: missing ${language} translation of ${JSON.stringify(key)}`);
      continue;
    }
    const source = message(en[key]);
    const target = message(translated[key]);
    if (!target.trim()) {
      problems.push(`${file}: empty ${language} translation of ${JSON.stringify(key)}`);
    }
    if (placeholders(source).join() !== placeholders(target).join()) {
      problems.push(
        `${file}: placeholders differ for ${JSON.stringify(key)}: en ${placeholders(source).join(' ')} / ${language} ${placeholders(target).join(' ')}`,
      );
    }
    if (markup(source).join('\n') !== markup(target).join('\n')) {
      problems.push(`${file}: links or code spans differ for ${JSON.stringify(key)}`);
    }
  }
  for (const key of Object.keys(translated)) {
    if (!(key in en)) {
      problems.push(`${file}: ${language} has ${JSON.stringify(key)}, which the English bundle does not (unused)`);
    }
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('localization: code strings (l10n/)', function () {
  this.timeout(60_000);
  const en = readJson<Bundle>('l10n/bundle.l10n.json');

  it('l10n/bundle.l10n.json is what `npm run l10n:export` extracts from src/ and webview/ now', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-l10n-'));
    try {
      const cli = path.join(root, 'node_modules', '@vscode', 'l10n-dev', 'dist', 'cli.js');
      execFileSync(process.execPath, [cli, 'export', '--outDir', out, './src', './webview'], {
        cwd: root,
        stdio: 'pipe',
      });
      const fresh = JSON.parse(fs.readFileSync(path.join(out, 'bundle.l10n.json'), 'utf8')) as Bundle;
      const added = Object.keys(fresh).filter((k) => !(k in en));
      const gone = Object.keys(en).filter((k) => !(k in fresh));
      assert.deepStrictEqual(
        { added, gone },
        { added: [], gone: [] },
        'l10n/bundle.l10n.json is stale: run `npm run l10n:export`, then translate the added strings in l10n/bundle.l10n.zh-cn.json',
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('every l10n.t() call passes its message as a literal, so the export sees it', () => {
    const offenders: string[] = [];
    for (const file of [...sourceFiles('src'), ...sourceFiles('webview')]) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      for (const m of text.matchAll(/\bl10n\.t\(\s*([^\s])/g)) {
        // `l10n.t()` in a comment is prose, not a call.
        if (!["'", '"', '`', '{', ')'].includes(m[1])) {
          const line = text.slice(0, m.index).split('\n').length;
          offenders.push(`${file}:${line}`);
        }
      }
      for (const m of text.matchAll(/\bl10n\.t\(\s*`[^`]*\$\{/g)) {
        offenders.push(`${file}:${text.slice(0, m.index).split('\n').length} (a template literal with \${…})`);
      }
    }
    assert.deepStrictEqual(offenders, []);
  });

  for (const language of LANGUAGES) {
    it(`every message has a ${language} translation with the same placeholders, and none is unused`, () => {
      const file = `l10n/bundle.l10n.${language}.json`;
      const problems = compare(en, readJson<Bundle>(file), language, file);
      assert.deepStrictEqual(problems, [], `${problems.length} problems:\n${problems.join('\n')}`);
    });

    it(`${language}: a message that starts with a setting name still starts with it (the UI offers Open Settings)`, () => {
      const translated = readJson<Bundle>(`l10n/bundle.l10n.${language}.json`);
      const wrong = Object.keys(en).filter(
        (k) => k.startsWith('klingVoice.') && !message(translated[k] ?? '').startsWith(k.split(/\s/)[0]),
      );
      assert.deepStrictEqual(wrong, []);
    });
  }
});

describe('localization: manifest (package.nls*.json)', () => {
  const manifest = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
  const nls = readJson<Bundle>('package.nls.json');

  it('every %key% in package.json is in package.nls.json, and every key there is used', () => {
    const used = new Set([...manifest.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]));
    const missing = [...used].filter((k) => !(k in nls));
    const unused = Object.keys(nls).filter((k) => !used.has(k));
    assert.deepStrictEqual({ missing, unused }, { missing: [], unused: [] });
    assert.ok(used.size > 50, `only ${used.size} manifest strings are localized`);
  });

  it('no user-visible manifest field is left as plain English', () => {
    const pkg = JSON.parse(manifest) as { displayName: string; description: string; contributes: unknown };
    const visible =
      /^(title|category|name|displayName|userDescription|description|markdownDescription|contents|altText|label)$/;
    // What a language model reads (a tool's id, its description for the model, its input schema) stays English.
    const forTheModel = (where: string, key: string) =>
      /^contributes\.languageModelTools\[\d+\]$/.test(where) && /^(name|modelDescription|inputSchema)$/.test(key);
    const plain: string[] = [];
    const visit = (v: unknown, where: string) => {
      if (Array.isArray(v)) {
        v.forEach((x, i) => visit(x, `${where}[${i}]`));
      } else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (forTheModel(where, k)) {
            continue;
          }
          if (k === 'enumDescriptions' && Array.isArray(x)) {
            x.forEach((d, i) => typeof d === 'string' && !/^%.+%$/.test(d) && plain.push(`${where}.${k}[${i}]`));
          } else if (typeof x === 'string' && visible.test(k) && !/^%.+%$/.test(x)) {
            plain.push(`${where}.${k}: ${x}`);
          } else {
            visit(x, `${where}.${k}`);
          }
        }
      }
    };
    visit({ displayName: pkg.displayName, description: pkg.description }, '');
    visit(pkg.contributes, 'contributes');
    // The walkthrough's media paths and the views' ids are no text; `name` is only a view's or container's title.
    assert.deepStrictEqual(plain, []);
  });

  for (const language of LANGUAGES) {
    it(`package.nls.${language}.json translates every manifest string with the same placeholders and links`, () => {
      const file = `package.nls.${language}.json`;
      const problems = compare(nls, readJson<Bundle>(file), language, file);
      assert.deepStrictEqual(problems, [], `${problems.length} problems:\n${problems.join('\n')}`);
    });
  }
});
