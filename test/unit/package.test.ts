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
    const forbidden = files.filter(
      (f) => /^(src|test|tools|out|node_modules|webview|\.vscode-test|\.ci|docs)\//.test(f) || /\.(ts|map|tsbuildinfo)$/.test(f) || /(^|\/)\.env/.test(f),
    );
    assert.deepStrictEqual(forbidden, [], `these must not ship:\n${forbidden.join('\n')}`);
  });
});
