import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { COMMANDS, CONTEXT_KEYS, SETTINGS, VIEWS, VIEW_TYPES } from '../../src/ids';

const root = path.resolve(__dirname, '..', '..', '..');

describe('VSIX contents', function () {
  this.timeout(120_000);

  it('ships the bundle, media, manifest and docs, and no sources, tests, tools or node_modules', () => {
    assert.ok(fs.existsSync(path.join(root, 'dist', 'extension.js')), 'run the build first (npm test does)');
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const out = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
    const files = out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    assert.ok(files.includes('dist/extension.js'), files.join('\n'));
    assert.ok(files.includes('package.json'));
    assert.ok(files.includes('README.md'));
    assert.ok(files.includes('media/kling-voice.svg'));
    for (const translation of ['package.nls.json', 'package.nls.zh-cn.json', 'l10n/bundle.l10n.zh-cn.json']) {
      assert.ok(files.includes(translation), `${translation} ships`);
    }
    assert.ok(
      files.includes('dist/codicons/codicon.css'),
      "the webviews' icon font ships (inlined in its style sheet)",
    );
    const forbidden = files.filter(
      (f) =>
        /^(src|test|tools|out|node_modules|webview|\.vscode-test|\.ci|docs)\//.test(f) ||
        /\.(ts|map|tsbuildinfo)$/.test(f) ||
        /(^|\/)\.env/.test(f),
    );
    assert.deepStrictEqual(forbidden, [], `these must not ship:\n${forbidden.join('\n')}`);
  });
});

describe('manifest', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    activationEvents: string[];
    contributes: {
      commands: { command: string; enablement?: string }[];
      views: Record<string, { id: string }[]>;
      viewsContainers: { activitybar: { id: string }[] };
      viewsWelcome: { view: string; when?: string }[];
      menus: Record<string, { command?: string; when?: string }[]>;
      configuration: { properties: Record<string, unknown> };
    };
  };
  const c = manifest.contributes;

  it('declares exactly the commands of src/ids.ts, and the menus name only those', () => {
    const declared: string[] = c.commands.map((x) => x.command).sort();
    assert.deepStrictEqual(declared, [...Object.values(COMMANDS)].sort());
    for (const [menu, items] of Object.entries(c.menus)) {
      for (const item of items) {
        if (item.command) {
          assert.ok(
            new Set<string>(declared).has(item.command),
            `${menu} names ${item.command}, which is not a command`,
          );
        }
      }
    }
  });

  it('declares exactly the views of src/ids.ts, and welcome content only for them', () => {
    assert.deepStrictEqual(
      c.viewsContainers.activitybar.map((v) => v.id),
      [VIEWS.container],
    );
    const views = Object.entries(c.views).flatMap(([container, list]) => list.map((v) => `${container}/${v.id}`));
    assert.deepStrictEqual(
      views.sort(),
      [VIEWS.createForm, VIEWS.voices, VIEWS.presets].map((v) => `${VIEWS.container}/${v}`).sort(),
    );
    for (const w of c.viewsWelcome) {
      assert.ok(Object.values(VIEWS).includes(w.view as never), `welcome content for unknown view ${w.view}`);
    }
  });

  it('every klingVoice context key in a when clause is one that src/ids.ts names', () => {
    const whens = [
      ...Object.values(c.menus)
        .flat()
        .map((m) => m.when ?? ''),
      ...c.viewsWelcome.map((w) => w.when ?? ''),
      ...c.commands.map((x) => x.enablement ?? ''),
    ];
    const keys = new Set(whens.flatMap((w) => [...w.matchAll(/\b(klingVoice\.\w+)\b/g)].map((m) => m[1])));
    const known = new Set<string>([...Object.values(CONTEXT_KEYS), ...Object.values(VIEWS)]);
    for (const k of keys) {
      assert.ok(known.has(k), `when clause uses ${k}, which src/ids.ts does not name`);
    }
  });

  it('every setting section of src/ids.ts is declared, and no other source file spells a klingVoice.* id', () => {
    const settings = Object.keys(c.configuration.properties);
    for (const section of Object.values(SETTINGS)) {
      assert.ok(
        settings.some((s) => s === section || s.startsWith(`${section}.`)),
        `no setting under ${section}`,
      );
    }
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          walk(p);
        } else if (e.name.endsWith('.ts') && p !== path.join(root, 'src', 'ids.ts')) {
          const text = fs.readFileSync(p, 'utf8');
          for (const m of text.matchAll(/['"]klingVoice\.[\w.]+['"]/g)) {
            offenders.push(`${path.relative(root, p)}: ${m[0]}`);
          }
        }
      }
    };
    walk(path.join(root, 'src'));
    assert.deepStrictEqual(offenders, []);
  });

  it('every webview panel restored after a reload has its onWebviewPanel activation event (VS Code does not infer it)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      activationEvents?: string[];
    };
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          walk(p);
        } else if (e.name.endsWith('.ts')) {
          sources.push(fs.readFileSync(p, 'utf8'));
        }
      }
    };
    walk(path.join(root, 'src'));
    const all = sources.join('\n');
    const names = [...all.matchAll(/registerWebviewPanelSerializer\(\s*VIEW_TYPES\.(\w+)/g)].map((m) => m[1]);
    assert.ok(names.length >= 2, `serializers found: ${names.join(', ')}`);
    for (const name of names) {
      const viewType = (VIEW_TYPES as Record<string, string>)[name];
      assert.ok(viewType, `the value of VIEW_TYPES.${name}`);
      assert.ok(
        manifest.activationEvents?.includes(`onWebviewPanel:${viewType}`),
        `activationEvents lacks onWebviewPanel:${viewType}`,
      );
    }
  });
});

/** The Node.js of the extension host, from the first VS Code release that ships it (Electron's Node). */
const HOST_NODE: readonly { vscode: string; node: string }[] = [
  { vscode: '1.74.0', node: '16.14.2' }, // 1.74–1.81: Electron 19–22, Node 16
  { vscode: '1.82.0', node: '18.15.0' }, // 1.82–1.89: Electron 25–28, Node 18
  { vscode: '1.90.0', node: '20.9.0' }, // 1.90–1.100: Electron 29–34, Node 20
  { vscode: '1.101.0', node: '22.15.1' }, // 1.101: Electron 35, Node 22
];

function versionParts(v: string): number[] {
  return v.split('.').map((n) => Number(n));
}

function compareVersions(a: string, b: string): number {
  const x = versionParts(a);
  const y = versionParts(b);
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) {
      return d;
    }
  }
  return 0;
}

/** The engines.node forms the bundled packages use: ">=20", ">=14.16", "4.x || >=6.0.0", "^18.0.0 || >=20". */
function nodeSatisfies(node: string, range: string): boolean {
  return range.split('||').some((part) => {
    const r = part.trim();
    let m = /^>=\s*v?(\d+(?:\.\d+){0,2})$/.exec(r);
    if (m) {
      return compareVersions(node, m[1]) >= 0;
    }
    m = /^(\d+)\.x$/.exec(r);
    if (m) {
      return versionParts(node)[0] === Number(m[1]);
    }
    m = /^\^(\d+(?:\.\d+){0,2})$/.exec(r);
    if (m) {
      return versionParts(node)[0] === versionParts(m[1])[0] && compareVersions(node, m[1]) >= 0;
    }
    if (r === '*' || r === '') {
      return true;
    }
    throw new Error(`engines.node "${range}": this test does not read "${r}" yet`);
  });
}

/** Every package the bundle can contain (dependencies, recursively, as npm installed them), with engines.node. */
function bundledEngines(): { name: string; version: string; node?: string }[] {
  const seen = new Map<string, { name: string; version: string; node?: string }>();
  const visit = (fromDir: string, name: string): void => {
    for (let dir = fromDir; ; dir = path.dirname(dir)) {
      const pkgDir = path.join(dir, 'node_modules', name);
      if (fs.existsSync(path.join(pkgDir, 'package.json'))) {
        if (seen.has(pkgDir)) {
          return;
        }
        const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as {
          version: string;
          engines?: { node?: string };
          dependencies?: Record<string, string>;
        };
        seen.set(pkgDir, { name, version: pkg.version, node: pkg.engines?.node });
        for (const dep of Object.keys(pkg.dependencies ?? {})) {
          visit(pkgDir, dep);
        }
        return;
      }
      if (dir === root || dir === path.dirname(dir)) {
        return; // an optional dependency that is not installed (node-fetch's "encoding")
      }
    }
  };
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  for (const dep of Object.keys(manifest.dependencies)) {
    visit(root, dep);
  }
  return [...seen.values()];
}

describe('engines', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    engines: { vscode: string };
    devDependencies: Record<string, string>;
  };

  it('engines.vscode is the lowest VS Code whose Node runs every bundled dependency, and at most 1.100', () => {
    const packages = bundledEngines();
    assert.ok(
      packages.some((p) => p.name === 'file-type'),
      'music-metadata brings file-type',
    );
    const fits = (node: string) => packages.filter((p) => p.node && !nodeSatisfies(node, p.node));
    const lowest = HOST_NODE.find((h) => fits(h.node).length === 0);
    assert.ok(lowest, `no VS Code in the table runs ${packages.map((p) => `${p.name} (${p.node})`).join(', ')}`);
    const declared = [...HOST_NODE]
      .reverse()
      .find((h) => compareVersions(h.vscode, manifest.engines.vscode.replace(/^\^/, '')) <= 0);
    const unmet = declared ? fits(declared.node).map((p) => `${p.name}@${p.version} wants node ${p.node}`) : [];
    assert.strictEqual(
      manifest.engines.vscode,
      `^${lowest.vscode}`,
      unmet.length ? `its Node ${declared?.node} is too old for ${unmet.join(', ')}` : 'a lower VS Code would do',
    );
    assert.ok(compareVersions(lowest.vscode, '1.100.0') <= 0, 'the issue caps engines at 1.100');
  });

  it('the bundle targets that Node, @types/vscode is that VS Code, and the README says so', () => {
    const min = manifest.engines.vscode.replace(/^\^/, '');
    const host = [...HOST_NODE].reverse().find((h) => compareVersions(h.vscode, min) <= 0);
    assert.ok(host);
    const build = fs.readFileSync(path.join(root, 'tools', 'build', 'build.mjs'), 'utf8');
    assert.match(build, new RegExp(`target: 'node${versionParts(host.node)[0]}'`));
    // vsce refuses @types/vscode newer than engines.vscode; the same minor keeps the types to the APIs that exist.
    const types = (
      JSON.parse(fs.readFileSync(path.join(root, 'node_modules', '@types', 'vscode', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    assert.strictEqual(
      versionParts(types).slice(0, 2).join('.'),
      versionParts(min).slice(0, 2).join('.'),
      `@types/vscode ${types}`,
    );
    assert.strictEqual(manifest.devDependencies['@types/vscode'], `~${versionParts(min).slice(0, 2).join('.')}.0`);
    const minor = versionParts(min).slice(0, 2).join('.');
    assert.match(
      fs.readFileSync(path.join(root, 'README.md'), 'utf8'),
      new RegExp(`Requires VS Code ${minor.replace('.', '\\.')} or newer`),
    );
  });
});
