import * as assert from 'assert';
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

describe('test host', () => {
  it('opens a workspace folder', () => {
    assert.ok(
      vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders.length > 0,
      'no workspace folder is open',
    );
  });
});
