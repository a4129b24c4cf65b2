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

  /** The sandbox's answer to the last GET of a task (the poll that saw it fail). */
  function lastPollOf(taskId: string) {
    const polls = sandbox.state.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/${taskId}`));
    const last = polls[polls.length - 1];
    assert.ok(last?.requestId, `the sandbox answered the poll of ${taskId} with a request id`);
    return last;
  }

  it("a failed task (Kling's code 0): task id, external task id, status, the raw task_status_msg, and the request id and HTTP status of the poll that saw it fail", async () => {
    const task = await vscode.commands.executeCommand<VoiceTask>('klingVoice.createVoice', {
      voiceName: 'Silent',
      videoId: '000000',
      externalTaskId: 'diag-ext-42',
    });
    assert.strictEqual(task.status, 'failed');
    const poll = lastPollOf(task.taskId);
    assert.strictEqual(task.requestId, poll.requestId, 'the task carries the answer that reported its failure');
    assert.strictEqual(task.httpStatus, 200);
    const text = await copied();
    assert.match(text, /^What: Task failed$/m);
    assert.ok(text.includes(`Task id: ${task.taskId}`));
    assert.match(text, /^External task id: diag-ext-42$/m);
    assert.match(text, /^Task status: failed$/m);
    assert.match(text, /^task_status_msg \(verbatim\): video has no usable audio track$/m);
    assert.ok(text.split('\n').includes(`Request id: ${poll.requestId}`), text);
    assert.match(text, /^HTTP status: 200$/m);
  });

  it("Check Task on a failed task: its answer's request id and status; My Voices' Copy Diagnostics reads them from the history", async () => {
    const submitted = await vscode.commands.executeCommand<VoiceTask>('klingVoice.createVoice', {
      voiceName: 'Silent Again',
      videoId: '000000',
      wait: false,
    });
    // Not followed (wait: false): the task ends unseen, and Check Task is what finds it failed.
    await new Promise((r) => setTimeout(r, 400));
    const checked = await vscode.commands.executeCommand<VoiceTask>('klingVoice.checkTask', submitted.taskId);
    assert.strictEqual(checked.status, 'failed');
    const poll = lastPollOf(submitted.taskId);
    const text = await copied();
    assert.ok(text.split('\n').includes(`Request id: ${poll.requestId}`), text);
    assert.match(text, /^HTTP status: 200$/m);

    // The same from the task's row in My Voices (after the notification is gone): the history kept them.
    await vscode.env.clipboard.writeText('');
    const fromRow = await vscode.commands.executeCommand<string>('klingVoice.copyTaskDiagnostics', submitted.taskId);
    assert.strictEqual(await vscode.env.clipboard.readText(), fromRow);
    assert.match(fromRow, /^What: Task failed$/m);
    assert.ok(fromRow.split('\n').includes(`Task id: ${submitted.taskId}`), fromRow);
    assert.ok(fromRow.split('\n').includes(`Request id: ${poll.requestId}`), fromRow);
    assert.match(fromRow, /^HTTP status: 200$/m);
    assert.match(fromRow, /^task_status_msg \(verbatim\): video has no usable audio track$/m);
    assert.ok(!fromRow.includes(TEST_KEY), 'never the key');
  });
});
