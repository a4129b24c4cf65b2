import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..', '..');

describe('VSIX contents', function () {
  this.timeout(120_000);

  it('ships the bundle, media, manifest and docs, and no sources, tests, tools or node_modules', () => {
    assert.ok(fs.existsSync(path.join(root, 'dist', 'extension.js')), 'run the build first (npm test does)');
    const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const out = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
    const files = out.split('\n').map((l) => l.trim()).filter(Boolean);
    assert.ok(files.includes('dist/extension.js'), files.join('\n'));
    assert.ok(files.includes('package.json'));
    assert.ok(files.includes('README.md'));
    assert.ok(files.includes('media/kling-voice.svg'));
    assert.ok(files.includes('dist/codicons/codicon.css') && files.includes('dist/codicons/codicon.ttf'), 'the webviews\' icon font ships');
    const forbidden = files.filter(
      (f) => /^(src|test|tools|out|node_modules|webview|\.vscode-test|\.ci|docs)\//.test(f) || /\.(ts|map|tsbuildinfo)$/.test(f) || /(^|\/)\.env/.test(f),
    );
    assert.deepStrictEqual(forbidden, [], `these must not ship:\n${forbidden.join('\n')}`);
  });
});

describe('manifest', () => {
  it('every webview panel restored after a reload has its onWebviewPanel activation event (VS Code does not infer it)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { activationEvents?: string[] };
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
    const names = [...all.matchAll(/registerWebviewPanelSerializer\(\s*([A-Z_]+)/g)].map((m) => m[1]);
    assert.ok(names.length >= 2, `serializers found: ${names.join(', ')}`);
    for (const name of names) {
      const viewType = new RegExp(`export const ${name} = '([^']+)'`).exec(all)?.[1];
      assert.ok(viewType, `the value of ${name}`);
      assert.ok(manifest.activationEvents?.includes(`onWebviewPanel:${viewType}`), `activationEvents lacks onWebviewPanel:${viewType}`);
    }
  });
});
