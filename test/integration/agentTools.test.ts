// The language-model tools, called the way an agent calls them: vscode.lm.invokeTool, with no chat (no model needed).
// Without a chat, VS Code shows a tool's confirmation as a modal dialog, except in an extension test host, where its
// dialog service confirms at once without showing anything (DialogService.skipDialogs). So invokeTool runs confirmed
// tools as a user who clicked Continue, and the confirmation texts are checked by calling the tools' own
// prepareInvocation (the objects vscode.lm.registerTool gets), with the same settings and credentials.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { Sandbox } from '../../tools/sandbox';
import { concat, noise, silence, speechLike, wavBytes } from '../../tools/fixtures/audio';
import { S3TestServer, startS3Server } from '../../tools/fakes/s3server';
import { SECRETS, TOOLS } from '../../src/ids';
import type { ToolDeps } from '../../src/agentTools/register';
import { createTools } from '../../src/agentTools/tools';
import {
  MemoryMemento,
  TEST_KEY,
  getApi,
  memorySecrets,
  recordingLog,
  setSetting,
  startFileServer,
  useSandbox,
} from './helpers';

/** Every result text of the run, to check at the end that none carries a secret. */
const results: string[] = [];
/** The calls of the "create from samples/narrator.wav and insert a request" scenario, for the README. */
const transcript: string[] = [];

async function invoke(name: string, input: object, token?: vscode.CancellationToken): Promise<Record<string, unknown>> {
  const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined }, token);
  const parts = result.content.filter(
    (p): p is vscode.LanguageModelTextPart => p instanceof vscode.LanguageModelTextPart,
  );
  assert.strictEqual(parts.length, 1, `${name} answers one text part`);
  results.push(parts[0].value);
  return JSON.parse(parts[0].value) as Record<string, unknown>;
}

describe('Agent tools (vscode.lm.invokeTool)', function () {
  this.timeout(90_000);
  let sandbox: Sandbox;
  let s3: S3TestServer;
  let dir: vscode.Uri;
  /** The tools as registered, with this host's settings and the same credentials: for their prepareInvocation. */
  const tools = (trusted = true) => {
    const { log } = recordingLog();
    return createTools({
      context: {
        secrets: memorySecrets({
          [SECRETS.s3AccessKeyId]: s3.accessKeyId,
          [SECRETS.s3SecretAccessKey]: s3.secretAccessKey,
        }),
        globalState: new MemoryMemento(),
      },
      service: { history: { all: () => [] } },
      library: { findVoice: (id: string) => (id === '900' ? { voiceId: id, voiceName: 'Old Take' } : undefined) },
      keys: { get: () => Promise.resolve(TEST_KEY) },
      log,
      isTrusted: () => trusted,
      lastEditor: () => undefined,
    } as unknown as ToolDeps) as unknown as Record<string, vscode.LanguageModelTool<object>>;
  };
  const never = new vscode.CancellationTokenSource().token;
  const prepare = async (name: string, input: object, trusted = true) =>
    (await tools(trusted)[name].prepareInvocation?.({ input }, never)) ?? undefined;
  const createRequests = () =>
    sandbox.state.requests.filter((r) => r.method === 'POST' && /custom-voices$/.test(r.path));

  before(async () => {
    await getApi();
    sandbox = await useSandbox();
    await setSetting('pollIntervalSeconds', 0.1);
    await vscode.commands.executeCommand('klingVoice.setApiKey', TEST_KEY);
    s3 = await startS3Server();
    await vscode.commands.executeCommand('klingVoice.setUploadCredentials', {
      provider: 's3',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    });
    for (const [key, value] of Object.entries({
      'upload.provider': 's3',
      'upload.s3.endpoint': s3.endpoint,
      'upload.s3.bucket': s3.bucket,
      'upload.s3.region': 'us-east-1',
      // Not consented ahead: the tool's confirmation is the consent to this destination.
      'upload.consentedDestinations': [],
    })) {
      await setSetting(key, value);
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder, 'the test host opens a workspace');
    dir = vscode.Uri.joinPath(folder, 'samples');
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'narrator.wav'), wavBytes([speechLike(12)]));
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'tiny.wav'), wavBytes([speechLike(2)]));
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(dir, 'interview.wav'),
      wavBytes([concat(silence(6), speechLike(20), noise(14, 16000, 0.01))]),
    );
  });

  after(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await setSetting('upload.provider', 'none');
    await sandbox.close();
    await s3.close();
    if (transcript.length) {
      console.log(`agent transcript:\n${transcript.join('\n')}`);
    }
  });

  beforeEach(() => {
    sandbox.reset();
    s3.requests.length = 0;
  });

  it('registers the five tools with their schemas in vscode.lm.tools', () => {
    const ours = vscode.lm.tools.filter((t) => Object.values(TOOLS).includes(t.name as never));
    assert.deepStrictEqual(ours.map((t) => t.name).sort(), [...Object.values(TOOLS)].sort());
    for (const t of ours) {
      assert.ok(t.description.length > 80, t.name);
      assert.strictEqual((t.inputSchema as { type?: string } | undefined)?.type, 'object', t.name);
    }
  });

  it('check a sample: the numbers, the verdict and the suggested window; nothing is sent', async () => {
    const ok = await invoke(TOOLS.checkSample, { file: 'samples/narrator.wav' });
    assert.strictEqual(ok.usable, true);
    assert.strictEqual(ok.sample, 'samples/narrator.wav');
    assert.ok(Math.abs((ok.durationSec as number) - 12) < 0.1, String(ok.durationSec));
    assert.strictEqual(ok.format, 'WAV PCM');
    assert.ok((ok.quality as { snrDb?: number }).snrDb !== undefined, 'measured');

    const long = await invoke(TOOLS.checkSample, { file: 'samples/interview.wav' });
    assert.strictEqual(long.usable, false);
    assert.match((long.problems as string[]).join(' '), /40\.0 s long; Kling accepts 5–30 s/);
    const window = long.suggestedWindow as { startSec: number; endSec: number };
    assert.ok(window.startSec >= 4 && window.endSec - window.startSec <= 30, JSON.stringify(window));

    const short = await invoke(TOOLS.checkSample, { file: 'samples/tiny.wav' });
    assert.strictEqual(short.verdict, 'refused');
    assert.match((short.problems as string[]).join(' '), /2\.00 s long; Kling needs 5–30 s/);

    const outside = await invoke(TOOLS.checkSample, { file: '../../etc/passwd' });
    assert.strictEqual(outside.refused, true);
    assert.match(outside.message as string, /not in the workspace/);

    const url = await invoke(TOOLS.checkSample, { url: 'ftp://example.com/a.wav' });
    assert.strictEqual(url.usable, false);
    assert.strictEqual(sandbox.state.requests.length, 0, 'checking sends nothing to the API');
    assert.strictEqual(s3.requests.length, 0, 'and uploads nothing');
  });

  it('create from a refused sample: confirmed like any create, then nothing is uploaded and nothing reaches the API', async () => {
    const confirm = (await prepare(TOOLS.createVoice, { file: 'samples/tiny.wav' }))?.confirmationMessages;
    assert.strictEqual(confirm?.title, 'Create the Kling voice "tiny" from samples/tiny.wav?');
    assert.match(String(confirm?.message), /is refused: .*2\.00 s.*nothing is uploaded, created or billed/);
    const value = await invoke(TOOLS.createVoice, { file: 'samples/tiny.wav' });
    assert.strictEqual(value.ok, false);
    assert.match(JSON.stringify(value), /2\.00 s long/);
    assert.strictEqual(sandbox.state.requests.length, 0);
    assert.strictEqual(s3.requests.length, 0);
  });

  it('a create cancelled before it runs sends nothing', async () => {
    const cancelled = new vscode.CancellationTokenSource();
    cancelled.cancel();
    await assert.rejects(invoke(TOOLS.createVoice, { file: 'samples/narrator.wav' }, cancelled.token));
    assert.strictEqual(sandbox.state.requests.length, 0);
    assert.strictEqual(s3.requests.length, 0);
  });

  it('create from samples/narrator.wav and insert a request that uses it: one task, in the history, in the editor', async () => {
    const check = await invoke(TOOLS.checkSample, { file: 'samples/narrator.wav' });
    transcript.push(`→ ${TOOLS.checkSample} ${JSON.stringify({ file: 'samples/narrator.wav' })}`);
    transcript.push(
      `← ${JSON.stringify({ usable: check.usable, durationSec: check.durationSec, verdict: check.verdict })}`,
    );

    const input = { file: 'samples/narrator.wav', voiceName: 'Narrator' };
    const confirm = (await prepare(TOOLS.createVoice, input))?.confirmationMessages;
    transcript.push(`→ ${TOOLS.createVoice} ${JSON.stringify(input)}`);
    transcript.push(`  confirmation: ${confirm?.title} ${String(confirm?.message)}`);
    assert.strictEqual(confirm?.title, 'Create the Kling voice "Narrator" from samples/narrator.wav?');
    assert.match(String(confirm?.message), /^The file is sent as it is \(12\.0 s\)\./);
    assert.match(String(confirm?.message), new RegExp(`uploaded to ${s3.endpoint}/${s3.bucket} \\(the S3 bucket`));
    assert.match(
      String(confirm?.message),
      /biometric data: continuing confirms, and records on this machine, "I have the speaker's permission to clone this voice for videos made with Kling\." Creating a voice is billed to your Kling account\.$/,
    );
    const value = await invoke(TOOLS.createVoice, input);
    transcript.push(
      `← ${JSON.stringify({ ok: value.ok, status: value.status, voiceId: value.voiceId, trialUrl: value.trialUrl })}`,
    );
    assert.strictEqual(value.ok, true, JSON.stringify(value));
    assert.strictEqual(value.status, 'succeed');
    assert.strictEqual(value.voiceName, 'Narrator');
    assert.match(value.voiceId as string, /^\d+$/);
    // The same single task the UI makes: one create, one task, from the presigned upload.
    assert.strictEqual(createRequests().length, 1);
    const tasks = [...sandbox.state.tasks.values()];
    assert.strictEqual(tasks.length, 1);
    assert.match(tasks[0].voiceUrl ?? '', /X-Amz-Signature/);
    assert.ok(!JSON.stringify(value).includes('X-Amz-Signature'), 'the presigned link stays out of the result');

    // In the history (My Voices' source of "where it came from"): the list tool shows the file it came from.
    const list = await invoke(TOOLS.listVoices, { include: 'own', query: 'narrator' });
    const own = list.ownVoices as { voiceId?: string; sample?: string; createdInVsCode?: boolean }[];
    const mine = own.find((v) => v.voiceId === value.voiceId);
    assert.ok(mine, JSON.stringify(list));
    assert.strictEqual(mine.sample, 'narrator.wav');
    assert.strictEqual(mine.createdInVsCode, true);

    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: '' });
    await vscode.window.showTextDocument(doc);
    const insert = await invoke(TOOLS.insertRequest, { voiceId: value.voiceId, format: 'json' });
    transcript.push(`→ ${TOOLS.insertRequest} ${JSON.stringify({ voiceId: value.voiceId, format: 'json' })}`);
    transcript.push(`← ${JSON.stringify({ ok: insert.ok, inserted: insert.inserted, voiceName: insert.voiceName })}`);
    assert.strictEqual(insert.inserted, true);
    assert.strictEqual(doc.getText(), insert.text);
    const body = JSON.parse(doc.getText()) as { voice_list: { voice_id: string }[]; prompt: string };
    assert.deepStrictEqual(body.voice_list, [{ voice_id: value.voiceId }]);
    assert.match(body.prompt, /<<<voice_1>>>.*Narrator/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('create from a URL goes through the palette path, with the URL (without query or fragment) in the confirmation', async () => {
    const files = await startFileServer();
    try {
      const input = { voiceName: 'From URL', url: `${files.url}/sample.wav#sig=abc123secret` };
      const confirm = (await prepare(TOOLS.createVoice, input))?.confirmationMessages;
      assert.strictEqual(confirm?.title, 'Create the Kling voice "From URL"?');
      assert.strictEqual(
        confirm?.message,
        `Kling clones the voice "From URL" from ${files.url}/sample.wav. Continuing confirms, and records on this machine, "I have the speaker's permission to clone this voice for videos made with Kling." Creating a voice is billed to your Kling account.`,
      );
      const value = await invoke(TOOLS.createVoice, input);
      assert.strictEqual(value?.status, 'succeed', JSON.stringify(value));
      assert.strictEqual(createRequests().length, 1);
      assert.ok(!results.some((r) => r.includes('abc123secret')));
    } finally {
      await files.close();
    }
  });

  it('list voices: own voices and presets, each with its id as a string', async () => {
    const list = await invoke(TOOLS.listVoices, {});
    assert.ok(Array.isArray(list.ownVoices) && Array.isArray(list.presetVoices));
    const presets = list.presetVoices as { voiceId: string; voiceName: string }[];
    assert.ok(presets.length > 0 && presets.every((p) => typeof p.voiceId === 'string' && p.voiceName));
    const onlyPresets = await invoke(TOOLS.listVoices, { include: 'presets' });
    assert.strictEqual(onlyPresets.ownVoices, undefined);
  });

  it('delete a voice: always confirmed, then deleted through the service', async () => {
    const api = await getApi();
    const task = await api.createVoice({ voiceName: 'To Delete', videoId: '424242' });
    const voiceId = task.voices[0].voiceId;
    const confirm = (await prepare(TOOLS.deleteVoice, { voiceId }))?.confirmationMessages;
    assert.strictEqual(confirm?.title, `Delete the Kling voice ${voiceId}?`);
    assert.match(String(confirm?.message), new RegExp(`^Voice id ${voiceId}\\..*cannot be undone\\.$`));
    const known = (await prepare(TOOLS.deleteVoice, { voiceId: '900' }))?.confirmationMessages;
    assert.strictEqual(known?.title, 'Delete the Kling voice "Old Take"?', 'a voice in the lists is named');
    const value = await invoke(TOOLS.deleteVoice, { voiceId });
    assert.deepStrictEqual(value, { ok: true, deleted: voiceId, voiceName: value?.voiceName });
    assert.strictEqual(sandbox.state.requests.filter((r) => /delete-voices/.test(r.path)).length, 1);
    const list = await invoke(TOOLS.listVoices, { include: 'own' });
    assert.ok(!(list.ownVoices as { voiceId?: string }[]).some((v) => v.voiceId === voiceId), 'gone from the list');
  });

  it('prepareInvocation: confirmations for create and delete only; an untrusted workspace creates and deletes nothing', async () => {
    for (const [name, input] of [
      [TOOLS.checkSample, { file: 'samples/narrator.wav' }],
      [TOOLS.listVoices, {}],
      [TOOLS.insertRequest, { voiceId: '1' }],
    ] as const) {
      const p = await prepare(name, input);
      assert.ok(p?.invocationMessage && !p.confirmationMessages, `${name} is read-only: no confirmation`);
    }
    const video = await prepare(TOOLS.createVoice, { voiceName: 'Clip', videoId: '99' });
    assert.strictEqual(video?.confirmationMessages?.title, 'Create the Kling voice "Clip"?');
    assert.match(String(video?.confirmationMessages?.message), /earlier Kling video 99.*billed/);
    const del = await prepare(TOOLS.deleteVoice, { voiceId: 'not-a-known-id' });
    assert.match(del?.confirmationMessages?.title ?? '', /Delete the Kling voice not-a-known-id\?/);

    for (const [name, input] of [
      [TOOLS.createVoice, { voiceName: 'Clip', videoId: '99' }],
      [TOOLS.createVoice, { file: 'samples/narrator.wav' }],
      [TOOLS.deleteVoice, { voiceId: '123' }],
    ] as const) {
      assert.strictEqual((await prepare(name, input, false))?.confirmationMessages, undefined);
      const result = (await tools(false)[name].invoke(
        { input, toolInvocationToken: undefined },
        never,
      )) as vscode.LanguageModelToolResult;
      const text = (result.content[0] as vscode.LanguageModelTextPart).value;
      results.push(text);
      assert.match(text, /not trusted.*Manage Workspace Trust/);
    }
    assert.strictEqual(sandbox.state.requests.length, 0);
    assert.strictEqual(s3.requests.length, 0);
  });

  it('no result carries the API key or an upload credential', () => {
    assert.ok(results.length >= 10, `${results.length} results`);
    for (const text of results) {
      for (const secret of [TEST_KEY, s3.secretAccessKey, s3.accessKeyId]) {
        assert.ok(!text.includes(secret), `a result contains a secret: ${text.slice(0, 200)}`);
      }
      assert.ok(!/X-Amz-Signature|Bearer [^*]/.test(text), text.slice(0, 200));
    }
  });
});
