import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'klingvoice.kling-custom-voice';

interface ContributedCommand {
  command: string;
}

function getExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded in the extension host`);
  return extension;
}

describe('extension smoke', () => {
  it('is present in the extension host', () => {
    const extension = getExtension();
    assert.strictEqual(extension.packageJSON.name, 'kling-custom-voice');
    assert.strictEqual(extension.packageJSON.publisher, 'klingvoice');
  });

  it('activates', async () => {
    const extension = getExtension();
    await extension.activate();
    assert.strictEqual(extension.isActive, true);
  });

  it('exports an API object from activate()', async () => {
    const api = await getExtension().activate();
    assert.strictEqual(typeof api, 'object', `activate() returned ${typeof api}`);
    assert.notStrictEqual(api, null);
  });

  it('registers every command it contributes', async () => {
    const extension = getExtension();
    await extension.activate();
    const contributed = ((extension.packageJSON.contributes?.commands ?? []) as ContributedCommand[]).map(
      (c) => c.command,
    );
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((command) => !registered.has(command));
    assert.deepStrictEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it("resolves every %key% of the manifest (the host reads package.nls.json, or the display language's)", () => {
    const unresolved: string[] = [];
    const visit = (v: unknown, where: string) => {
      if (typeof v === 'string' && /^%[^%\s]+%$/.test(v)) {
        unresolved.push(`${where}: ${v}`);
      } else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          visit(x, `${where}.${k}`);
        }
      }
    };
    const pkg = getExtension().packageJSON as { displayName: unknown; description: unknown; contributes: unknown };
    visit({ displayName: pkg.displayName, description: pkg.description, contributes: pkg.contributes }, 'package.json');
    assert.deepStrictEqual(unresolved, []);
    assert.strictEqual(pkg.displayName, vscode.env.language.startsWith('zh') ? '可灵自定义音色' : 'Kling Custom Voice');
  });
});

describe('the copy under test', () => {
  it('is the one the runner named: the checkout, or the installed VSIX in the extensions folder (never the checkout then)', () => {
    const expected = process.env.KLING_TEST_EXTENSION_ROOT;
    const checkout = process.env.KLING_TEST_CHECKOUT;
    assert.ok(expected && checkout, 'the runner sets KLING_TEST_EXTENSION_ROOT and KLING_TEST_CHECKOUT');
    const extension = getExtension();
    const loaded = fs.realpathSync(extension.extensionPath);
    console.log(`[copy under test] ${EXTENSION_ID} ${extension.packageJSON.version} loaded from ${loaded}`);
    if (fs.realpathSync(expected) === fs.realpathSync(checkout)) {
      assert.strictEqual(loaded, fs.realpathSync(checkout), 'the development run loads the checkout');
      return;
    }
    // An installed copy: <extensions dir>/<publisher>.<name>-<version>, unpacked from the VSIX, nothing of the checkout.
    assert.strictEqual(path.dirname(loaded), fs.realpathSync(expected), `not in the extensions folder ${expected}`);
    assert.strictEqual(path.basename(loaded), `${EXTENSION_ID}-${extension.packageJSON.version}`);
    const relative = path.relative(fs.realpathSync(checkout), loaded);
    assert.ok(relative.startsWith('..') || path.isAbsolute(relative), `${loaded} is inside the checkout`);
    assert.ok(fs.existsSync(path.join(loaded, '.vsixmanifest')), 'installed from a VSIX');
    for (const absent of ['src', 'node_modules', 'test', 'out', 'dist/extension.js.map']) {
      assert.ok(!fs.existsSync(path.join(loaded, absent)), `the installed copy holds ${absent}`);
    }
    // extensionKind ["workspace"]: code-server's extension host is the remote (workspace) one.
    assert.strictEqual(extension.extensionKind, vscode.ExtensionKind.Workspace);
  });
});

describe('test host', () => {
  it('opens a workspace folder', () => {
    assert.ok(
      vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders.length > 0,
      'no workspace folder is open',
    );
  });
});
