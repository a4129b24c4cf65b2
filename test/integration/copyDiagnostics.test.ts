// Copy Diagnostics as support needs it: a notification's button cannot be clicked in the extension test host, so the
// tests run "Kling Voice: Copy Diagnostics of the Last Failure", which copies what the last failure notification's
// Copy Diagnostics copies (the same failure, through the same function), and read the real clipboard.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { VoiceTask } from '../../src/kling';
import type { Sandbox } from '../../tools/sandbox';
import { EXTENSION_ID, TEST_KEY, rejects, setSetting, useSandbox } from './helpers';

describe('Copy Diagnostics of a failure (the clipboard as support reads it)', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  const version = String(vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON?.version);

  before(async () => {
    sandbox = await useSandbox({ processingDelayMs: 200 });
    await setSetting('pollIntervalSeconds', 0.1);
    await vscode.commands.executeCommand('klingVoice.setApiKey', TEST_KEY);
  });
  after(async () => {
    await sandbox.close();
  });

  async function copied(): Promise<string> {
    await vscode.env.clipboard.writeText('');
    const text = await vscode.commands.executeCommand<string>('klingVoice.copyDiagnostics');
    assert.strictEqual(await vscode.env.clipboard.readText(), text, 'the text returned is what is on the clipboard');
    assert.ok(!text.includes(TEST_KEY), 'never the key');
    assert.ok(text.includes(`Service host: ${new URL(sandbox.url).host}`));
    assert.ok(!text.includes(sandbox.url + '/'), 'the host, not the URL');
    assert.ok(text.includes(`Extension version: ${version}`));
    assert.ok(text.includes(`VS Code version: ${vscode.version}`));
    return text;
  }

  it('a create refused with 1102 (balance): request id, HTTP status, Kling code and the server message', async () => {
    sandbox.faults.push({ kind: 'balance', match: { method: 'POST' } });
    const e = await rejects(
      Promise.resolve(
        vscode.commands.executeCommand('klingVoice.createVoice', { voiceName: 'Broke', videoId: '123456' }),
      ),
    );
    assert.strictEqual(e.code, 1102);
    const requestId = (e as unknown as { requestId?: string }).requestId;
    assert.match(requestId ?? '', /^[0-9a-f-]{36}$/, 'the sandbox answered with a request id');
    const text = await copied();
    assert.match(text, /^What: Could not create voice "Broke"$/m);
    assert.ok(text.includes(`Request id: ${requestId}`));
    assert.match(text, /^HTTP status: 429$/m);
    assert.match(text, /^Kling code: 1102$/m);
    assert.match(text, /^Server message: Account balance not enough$/m);
  });

  it("a failed task (Kling's code 0): task id, external task id, status and the raw task_status_msg", async () => {
    const task = await vscode.commands.executeCommand<VoiceTask>('klingVoice.createVoice', {
      voiceName: 'Silent',
      videoId: '000000',
      externalTaskId: 'diag-ext-42',
    });
    assert.strictEqual(task.status, 'failed');
    const text = await copied();
    assert.match(text, /^What: Task failed$/m);
    assert.ok(text.includes(`Task id: ${task.taskId}`));
    assert.match(text, /^External task id: diag-ext-42$/m);
    assert.match(text, /^Task status: failed$/m);
    assert.match(text, /^task_status_msg \(verbatim\): video has no usable audio track$/m);
  });
});
