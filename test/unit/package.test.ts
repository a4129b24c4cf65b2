import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { COMMANDS, CONTEXT_KEYS, SETTINGS, TOOLS, TOOL_REFERENCES, VIEWS, VIEW_TYPES } from '../../src/ids';

const root = path.resolve(__dirname, '..', '..', '..');

/** The files `npm run package` puts into the VSIX, as `vsce ls` lists them (with the same README option). */
function vsixFiles(): string[] {
  const out = execFileSync(process.execPath, [path.join(root, 'tools', 'build', 'package.mjs'), '--ls'], {
    cwd: root,
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Every TypeScript file under src/, read. */
function sourceTexts(): string[] {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (e.name.endsWith('.ts')) {
        texts.push(fs.readFileSync(p, 'utf8'));
      }
    }
  };
  walk(path.join(root, 'src'));
  return texts;
}

/** An ES module of tools/build: a real dynamic import (tsc keeps it in the CommonJS test build). */
function importBuildScript<T>(name: string): Promise<T> {
  return import(pathToFileURL(path.join(root, 'tools', 'build', name)).href) as Promise<T>;
}

describe('VSIX contents', function () {
  this.timeout(120_000);
  let files: string[] = [];

  before(() => {
    assert.ok(fs.existsSync(path.join(root, 'dist', 'extension.js')), 'run the build first (npm test does)');
    files = vsixFiles();
  });

  it('ships the bundle, media, manifest and docs, and no sources, maps, tests, tools, fixtures or node_modules', () => {
    assert.ok(files.includes('dist/extension.js'), files.join('\n'));
    for (const lazy of [
      'dist/features.js',
      'dist/node-fetch.js',
      'dist/music-metadata.js',
      'dist/mpg123-decoder.js',
      'dist/aws4.js',
    ]) {
      assert.ok(files.includes(lazy), `${lazy} ships (loaded from it on first use)`);
    }
    assert.ok(files.includes('dist/audioWorker.js'), 'the audio worker ships (audio work runs off the host thread)');
    assert.ok(files.includes('package.json'));
    assert.ok(
      files.includes('dist/README.package.md'),
      'the README, as tools/build/package.mjs writes it for the package',
    );
    assert.ok(files.includes('CHANGELOG.md'));
    assert.ok(files.includes('LICENSE'));
    assert.ok(files.includes('media/kling-voice.svg'));
    for (const translation of ['package.nls.json', 'package.nls.zh-cn.json', 'l10n/bundle.l10n.zh-cn.json']) {
      assert.ok(files.includes(translation), `${translation} ships`);
    }
    // VS Code reads l10n/bundle.l10n.<language>.json only for a language other than English; the English bundle is
    // what `npm run l10n:export` writes for translators.
    assert.ok(!files.includes('l10n/bundle.l10n.json'), 'the English l10n bundle is not shipped');
    assert.ok(
      files.includes('dist/codicons/codicon.css'),
      "the webviews' icon font ships (inlined in its style sheet)",
    );
    const forbidden = files.filter(
      (f) =>
        /^(src|test|tools|out|node_modules|webview|\.vscode-test|\.ci|docs|test-results)\//.test(f) ||
        /(^|\/)fixtures?\//.test(f) ||
        /\.(ts|map|tsbuildinfo|vsix|mjs|cjs)$/.test(f) ||
        /(^|\/)\.env/.test(f),
    );
    assert.deepStrictEqual(forbidden, [], `these must not ship:\n${forbidden.join('\n')}`);
  });

  it('holds every file the manifest and the webview hosts name: main, icons, the page bundles, their style sheets', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      main: string;
      icon: string;
      contributes: {
        viewsContainers: Record<string, { icon?: string }[]>;
        views: Record<string, { icon?: string }[]>;
        commands: { icon?: string | { light: string; dark: string } }[];
      };
    };
    const c = manifest.contributes;
    const named = [
      manifest.main,
      manifest.icon,
      ...Object.values(c.viewsContainers)
        .flat()
        .map((v) => v.icon),
      ...Object.values(c.views)
        .flat()
        .map((v) => v.icon),
      ...c.commands.flatMap((x) => (typeof x.icon === 'object' ? [x.icon.light, x.icon.dark] : [])),
    ]
      .filter((f): f is string => typeof f === 'string' && !f.startsWith('$('))
      .map((f) => path.posix.normalize(f));
    // What the webview hosts load (src/webviewHost/page.ts: `script` from dist/, `styles` from media/, the codicons;
    // the panels' tab icons from media/).
    const src = sourceTexts().join('\n');
    const scripts = [...src.matchAll(/\bscript: '([\w.-]+\.js)'/g)].map((m) => `dist/${m[1]}`);
    const styles = [...src.matchAll(/\bstyles: \[([^\]]*)\]/g)].flatMap((m) =>
      [...m[1].matchAll(/'([\w.-]+)'/g)].map((s) => `media/${s[1]}`),
    );
    const media = [...src.matchAll(/joinPath\(extensionUri, 'media', '([\w.-]+)'\)/g)].map((m) => `media/${m[1]}`);
    for (const page of ['dist/createForm.js', 'dist/trimmer.js', 'dist/trialPlayer.js']) {
      assert.ok(scripts.includes(page), `the source no longer names ${page}: update this test`);
    }
    assert.ok(styles.includes('media/webview.css') && styles.includes('media/trimmer.css'), styles.join(', '));
    assert.ok(media.includes('media/panel-light.svg'), media.join(', '));
    const wanted = [...new Set([...named, ...scripts, ...styles, ...media, 'dist/codicons/codicon.css'])];
    const missing = wanted.filter((f) => !files.includes(f));
    assert.deepStrictEqual(missing, [], `named but not packaged:\n${missing.join('\n')}`);
  });

  it('the packaged README shows no image it cannot resolve and names no placeholder address', async () => {
    const script = await importBuildScript<{
      packagedReadme(text: string, baseImagesUrl?: string): string;
      README_BASE_URLS: { baseContentUrl?: string; baseImagesUrl?: string };
    }>('package.mjs');
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    assert.match(readme, /\]\(docs\/images\/[\w-]+\.png\)/, 'the README has screenshots to leave out');
    const packaged = fs.readFileSync(path.join(root, 'dist', 'README.package.md'), 'utf8');
    assert.strictEqual(packaged, script.packagedReadme(readme), 'package.mjs --ls wrote it from README.md');
    if (script.README_BASE_URLS.baseImagesUrl) {
      assert.match(script.README_BASE_URLS.baseImagesUrl, /^https:\/\//);
      assert.strictEqual(packaged, readme, 'vsce rewrites the relative links itself');
    } else {
      // No public location yet: no relative image, neither Markdown nor <img>, and the text around them stays.
      assert.doesNotMatch(packaged, /!\[[^\]]*\]\((?![a-z]+:)[^)]*\)/i);
      assert.doesNotMatch(packaged, /<img\b[^>]*\bsrc=["'](?![a-z]+:)/i);
      assert.doesNotMatch(packaged, /<p>\s*<\/p>/);
      assert.ok(packaged.includes('## What it does') && packaged.includes('## Develop'), 'only the images go');
      assert.ok(readme.split('\n').length - packaged.split('\n').length >= 6, 'the screenshots were left out');
    }
    assert.strictEqual(
      script.packagedReadme('a ![x](https://cdn.example.org/x.png) b\n![y](docs/y.png)\n<img src="z.png" alt="z">c'),
      'a ![x](https://cdn.example.org/x.png) b\nc',
      'absolute images stay; relative ones, alone on a line or inline, go',
    );
    for (const text of [
      packaged,
      fs.readFileSync(path.join(root, 'package.json'), 'utf8'),
      fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8'),
    ]) {
      assert.doesNotMatch(text, /example\.invalid/);
    }
  });
});

describe('listing metadata (Marketplace and Open VSX)', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown> & {
    name: string;
    version: string;
    publisher: string;
    license: string;
    icon: string;
    keywords: string[];
    categories: string[];
    scripts: Record<string, string>;
  };

  it('a 128×128 PNG icon, categories, keywords (with 可灵), banner, Free, no Q&A, no placeholder links', () => {
    const png = fs.readFileSync(path.join(root, manifest.icon));
    assert.strictEqual(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepStrictEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128], 'IHDR width and height');
    assert.deepStrictEqual(manifest.categories, ['Machine Learning', 'Other']);
    for (const k of ['Kling', '可灵', 'voice clone']) {
      assert.ok(manifest.keywords.includes(k), `keyword ${k}`);
    }
    assert.ok(manifest.keywords.length <= 30, 'the Marketplace takes at most 30 keywords');
    assert.match((manifest.galleryBanner as { color: string }).color, /^#[0-9a-f]{6}$/i);
    assert.strictEqual(manifest.pricing, 'Free');
    assert.strictEqual(manifest.qna, false);
    for (const key of ['homepage', 'bugs', 'repository']) {
      const value = JSON.stringify(manifest[key] ?? '');
      assert.doesNotMatch(value, /example\.(invalid|com|org)|localhost|TODO/i, `${key} is a placeholder`);
    }
    assert.deepStrictEqual(manifest.extensionKind, ['workspace'], 'runs where the workspace is (README: Remote)');
    assert.strictEqual(manifest.browser, undefined, 'no web entry: hidden in VS Code for the Web (README says so)');
  });

  it("meets Open VSX's rules that can be checked offline: a license file, a publisher namespace, no proposed API", () => {
    assert.match(manifest.publisher, /^[a-z0-9][a-z0-9-]*$/i, 'the namespace to create on open-vsx.org');
    assert.match(manifest.name, /^[a-z0-9][a-z0-9-]*$/);
    assert.strictEqual(manifest.license, 'MIT');
    assert.match(fs.readFileSync(path.join(root, 'LICENSE'), 'utf8'), /^MIT License/);
    assert.strictEqual(manifest.enabledApiProposals, undefined, 'Open VSX and the Marketplace refuse proposed APIs');
    assert.strictEqual(manifest.private, true, 'npm must never publish it; vsce and ovsx ignore the flag');
  });

  it('the CHANGELOG has a heading for the version, and `npm version` moves the Unreleased entries under the new one', async () => {
    const changelog = fs.readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8');
    const headings = [...changelog.matchAll(/^## (.+)$/gm)].map((m) => m[1].trim());
    assert.ok(headings.includes(manifest.version), `CHANGELOG.md headings: ${headings.join(' | ')}`);
    assert.strictEqual(headings[0], 'Unreleased', 'new entries go under "## Unreleased" at the top');
    assert.strictEqual(manifest.scripts.version, 'node tools/build/changelog.mjs && git add CHANGELOG.md');
    const { releaseChangelog } = await importBuildScript<{ releaseChangelog(text: string, version: string): string }>(
      'changelog.mjs',
    );
    const released = releaseChangelog(changelog, '9.8.7');
    assert.deepStrictEqual(
      [...released.matchAll(/^## (.+)$/gm)].map((m) => m[1].trim()),
      ['Unreleased', '9.8.7', ...headings.slice(1)],
    );
    assert.strictEqual(
      releaseChangelog('# C\n\n## Unreleased\n- a\n\n## 1.0.0\n- b\n', '1.1.0'),
      '# C\n\n## Unreleased\n\n## 1.1.0\n- a\n\n## 1.0.0\n- b\n',
    );
    assert.throws(() => releaseChangelog(released, '9.8.8'), /no entries under "## Unreleased"/);
    assert.throws(() => releaseChangelog(changelog, manifest.version), /already has a heading/);
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
      languageModelTools: {
        name: string;
        toolReferenceName?: string;
        canBeReferencedInPrompt?: boolean;
        displayName: string;
        userDescription?: string;
        modelDescription: string;
        inputSchema?: { type: string; properties: Record<string, { description?: string }>; required?: string[] };
      }[];
    };
  };
  const c = manifest.contributes;

  it('declares exactly the language-model tools of src/ids.ts, each referenceable with its #name and described', () => {
    const byName = new Map(c.languageModelTools.map((t) => [t.name, t]));
    assert.deepStrictEqual([...byName.keys()].sort(), [...Object.values(TOOLS)].sort());
    for (const [key, name] of Object.entries(TOOLS)) {
      const tool = byName.get(name);
      assert.ok(tool);
      assert.strictEqual(tool.toolReferenceName, TOOL_REFERENCES[key as keyof typeof TOOLS], name);
      assert.strictEqual(tool.canBeReferencedInPrompt, true, name);
      assert.match(name, /^(?!copilot_|vscode_)[\w-]+$/, 'the pattern VS Code accepts for a tool name');
      assert.ok(tool.modelDescription.length > 80 && tool.userDescription && tool.displayName, name);
      assert.strictEqual(tool.inputSchema?.type, 'object', name);
      for (const [prop, schema] of Object.entries(tool.inputSchema.properties)) {
        assert.ok(schema.description, `${name}.${prop} has a description for the model`);
      }
    }
  });

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

/**
 * The first VS Code whose final API has vscode.lm.registerTool, vscode.lm.invokeTool and the languageModelTools
 * contribution point (finalized in October 2024, for 1.95; @types/vscode 1.94 does not have them, 1.95 does).
 */
const TOOL_API_VSCODE = '1.95.0';

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
    contributes: { languageModelTools?: unknown[] };
  };

  it('engines.vscode is the lowest VS Code that has the tool API and whose Node runs every bundled dependency, at most 1.100', () => {
    const packages = bundledEngines();
    assert.ok(
      packages.some((p) => p.name === 'file-type'),
      'music-metadata brings file-type',
    );
    const fits = (node: string) => packages.filter((p) => p.node && !nodeSatisfies(node, p.node));
    const lowestNode = HOST_NODE.find((h) => fits(h.node).length === 0);
    assert.ok(lowestNode, `no VS Code in the table runs ${packages.map((p) => `${p.name} (${p.node})`).join(', ')}`);
    // The other floor: the manifest contributes languageModelTools, so VS Code must have them as final API.
    assert.ok(
      (manifest.contributes.languageModelTools ?? []).length > 0,
      'languageModelTools are contributed (else this floor is gone)',
    );
    const lowest = compareVersions(lowestNode.vscode, TOOL_API_VSCODE) >= 0 ? lowestNode.vscode : TOOL_API_VSCODE;
    const declared = [...HOST_NODE]
      .reverse()
      .find((h) => compareVersions(h.vscode, manifest.engines.vscode.replace(/^\^/, '')) <= 0);
    const unmet = declared ? fits(declared.node).map((p) => `${p.name}@${p.version} wants node ${p.node}`) : [];
    assert.strictEqual(
      manifest.engines.vscode,
      `^${lowest}`,
      unmet.length
        ? `its Node ${declared?.node} is too old for ${unmet.join(', ')}`
        : compareVersions(manifest.engines.vscode.replace(/^\^/, ''), TOOL_API_VSCODE) < 0
          ? `vscode.lm.registerTool is final API from ${TOOL_API_VSCODE} on`
          : 'a lower VS Code would do',
    );
    assert.ok(compareVersions(lowest, '1.100.0') <= 0, 'the issue caps engines at 1.100');
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

/** The code points a TrueType font maps to glyphs (its cmap's format 4 and 12 subtables). */
function mappedCodePoints(ttf: Buffer): Set<number> {
  const out = new Set<number>();
  const numTables = ttf.readUInt16BE(4);
  let cmap = -1;
  for (let i = 0; i < numTables; i++) {
    if (ttf.toString('latin1', 12 + i * 16, 16 + i * 16) === 'cmap') {
      cmap = ttf.readUInt32BE(12 + i * 16 + 8);
    }
  }
  assert.ok(cmap > 0, 'the font has a cmap table');
  for (let i = 0; i < ttf.readUInt16BE(cmap + 2); i++) {
    const sub = cmap + ttf.readUInt32BE(cmap + 4 + i * 8 + 4);
    const format = ttf.readUInt16BE(sub);
    if (format === 4) {
      const segs = ttf.readUInt16BE(sub + 6) / 2;
      for (let s = 0; s < segs; s++) {
        const end = ttf.readUInt16BE(sub + 14 + s * 2);
        const start = ttf.readUInt16BE(sub + 16 + segs * 2 + s * 2);
        for (let c = start; c <= end && c !== 0xffff; c++) {
          out.add(c);
        }
      }
    } else if (format === 12) {
      for (let g = 0; g < ttf.readUInt32BE(sub + 12); g++) {
        const start = ttf.readUInt32BE(sub + 16 + g * 12);
        for (let c = start; c <= ttf.readUInt32BE(sub + 20 + g * 12); c++) {
          out.add(c);
        }
      }
    }
  }
  return out;
}

describe('startup bundle', () => {
  const dist = (name: string) => path.join(root, 'dist', name);
  const read = (name: string) => {
    assert.ok(fs.existsSync(dist(name)), `dist/${name} is built (npm test builds first)`);
    return fs.readFileSync(dist(name), 'utf8');
  };

  it('dist/extension.js loads node-fetch, the features and the libraries only from their own bundles', () => {
    const text = read('extension.js');
    // Its size against the 200 KB budget is a benchmark figure: `npm run bench` prints it with ✔/✖.
    assert.ok(text.includes('require("./node-fetch.js")'), 'node-fetch is loaded from dist/node-fetch.js');
    assert.ok(text.includes('require("./features.js")'), 'the lazy features are loaded from dist/features.js');
    // Node modules the start must not load: the HTTP stack (node-fetch's), worker threads (the audio worker's
    // client), fs/promises (@vscode/l10n's file loading, replaced by tools/build/l10n-host.cjs).
    for (const builtin of ['http', 'https', 'zlib', 'stream', 'worker_threads', 'fs/promises']) {
      assert.ok(!text.includes(`require("${builtin}")`), `dist/extension.js does not require ${builtin}`);
    }
    // Marks of code that belongs elsewhere: node-fetch's user agent, the audio libraries, the S3 signer.
    for (const mark of ['node-fetch/1.0', 'MPEGDecoderWebWorker', 'ID3v2', 'AWS4-HMAC-SHA256']) {
      assert.ok(!text.includes(mark), `${mark} is not in dist/extension.js`);
    }
  });

  it('dist/features.js takes what it shares with dist/extension.js from it, and aws4 from its own bundle', () => {
    const features = read('features.js');
    assert.ok(features.includes('require("./extension.js")'), 'shared modules come from dist/extension.js');
    assert.ok(read('extension.js').includes('__core'), 'dist/extension.js exports its shared modules');
    assert.ok(features.includes('require("./aws4.js")'), 'aws4 is loaded from dist/aws4.js');
    assert.ok(fs.existsSync(dist('aws4.js')), 'dist/aws4.js is built');
    // One copy of the l10n stand-in and of the error classes: in the core only.
    assert.ok(!/\.l10n\.t\(/.test(features), 'the l10n stand-in is not copied into dist/features.js');
    assert.ok(/\.l10n\.t\(/.test(read('extension.js')), 'dist/extension.js holds the l10n stand-in');
  });

  it('the audio worker loads the audio libraries only from their own bundles', () => {
    const worker = read('audioWorker.js');
    for (const lib of ['music-metadata', 'mpg123-decoder']) {
      assert.ok(worker.includes(`require("./${lib}.js")`), `the worker loads ${lib} from dist/${lib}.js`);
      assert.ok(fs.existsSync(dist(`${lib}.js`)), `dist/${lib}.js is built`);
    }
    for (const mark of ['MPEGDecoderWebWorker', 'ID3v2']) {
      assert.ok(!worker.includes(mark), `no audio library is bundled into dist/audioWorker.js (${mark})`);
    }
  });
});

describe("the webviews' codicons (dist/codicons/codicon.css)", () => {
  const cssFile = path.join(root, 'dist', 'codicons', 'codicon.css');

  it('hold every glyph the pages name, in the subset font, in at most 10 KB', () => {
    assert.ok(fs.existsSync(cssFile), 'run the build first (npm test does)');
    const css = fs.readFileSync(cssFile, 'utf8');
    assert.ok(css.length <= 10 * 1024, `codicon.css is ${css.length} bytes`);
    const full = fs.readFileSync(path.join(root, 'node_modules/@vscode/codicons/dist/codicon.css'), 'utf8');
    const rule = (text: string, name: string) =>
      new RegExp(`\\.codicon-${name}:before\\s*\\{\\s*content:\\s*"\\\\([0-9a-f]+)"`).exec(text)?.[1];
    const used = new Set<string>();
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          walk(p);
        } else if (/\.(ts|css)$/.test(e.name)) {
          const text = fs.readFileSync(p, 'utf8');
          for (const m of text.matchAll(/\bcodicon\('([a-z0-9-]+)'\)|(?<![\w-])codicon-([a-z0-9][a-z0-9-]*)/g)) {
            if (!/^(modifier-|spin$)/.test(m[1] ?? m[2])) {
              used.add(m[1] ?? m[2]);
            }
          }
        }
      }
    };
    ['src', 'webview', 'media'].forEach((d) => walk(path.join(root, d)));
    assert.ok(used.has('mic') && used.has('copy') && used.size >= 8, [...used].join(' '));
    const font = /url\("data:font\/ttf;base64,([A-Za-z0-9+/=]+)"\)/.exec(css);
    assert.ok(font, 'the font is inlined as a data: URI');
    const mapped = mappedCodePoints(Buffer.from(font[1], 'base64'));
    for (const name of used) {
      const cp = rule(css, name);
      assert.ok(cp, `no rule for codicon-${name}`);
      assert.strictEqual(cp, rule(full, name), `codicon-${name} points at its glyph`);
      assert.ok(mapped.has(parseInt(cp, 16)), `the font lacks the glyph of codicon-${name}`);
    }
    assert.ok(mapped.size <= used.size + 2, `the font holds ${mapped.size} glyphs for ${used.size} names`);
  });
});
