import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { KlingVoiceApi } from '../../src/api';
import type { FileOutcome } from '../../src/fromFile/batch';
import type { Sandbox } from '../../tools/sandbox';
import * as os from 'os';
import {
  concat,
  ensureAudioTools,
  makeToolFixtures,
  noise,
  silence,
  speechLike,
  wavBytes,
} from '../../tools/fixtures/audio';
import { S3TestServer, startS3Server } from '../../tools/fakes/s3server';
import { startUploadEndpoint, type UploadEndpoint } from '../../tools/fakes/uploadEndpoint';
import fetch from 'node-fetch';
import { KeyStore } from '../../src/service/keyStore';
import { TaskHistory } from '../../src/history/taskHistory';
import type { FetchLike } from '../../src/kling';
import { VoiceService } from '../../src/service/voiceService';
import { createVoiceFromFile } from '../../src/fromFile/pipeline';
import { registerPendingDeletes } from '../../src/fromFile/register';
import { STATE_KEYS } from '../../src/ids';
import {
  MemoryMemento,
  TEST_KEY,
  getApi,
  memorySecrets,
  recordingLog,
  rejects,
  setSetting,
  useSandbox,
  waitFor,
} from './helpers';

const PENDING = STATE_KEYS.pendingDeletes;

const CMD = 'klingVoice.createVoiceFromFile';

const setUserSettings = async (values: Record<string, unknown>) => {
  for (const [key, value] of Object.entries(values)) {
    await setSetting(key, value);
  }
};
const setUserSetting = setSetting;

describe('Create voice from file (explorer command, upload providers, batch)', function () {
  this.timeout(90_000);
  let sandbox: Sandbox;
  let s3: S3TestServer;
  let endpoint: UploadEndpoint;
  let dir: vscode.Uri;
  let api: KlingVoiceApi;
  const file = (name: string) => vscode.Uri.joinPath(dir, name);
  const write = (name: string, bytes: Uint8Array) => vscode.workspace.fs.writeFile(file(name), bytes);
  const run = (uris: vscode.Uri[], options: object = { noPrompt: true }) =>
    vscode.commands.executeCommand<FileOutcome[]>(CMD, uris[0], uris, options);

  before(async () => {
    api = await getApi();
    sandbox = await useSandbox();
    await setSetting('pollIntervalSeconds', 0.1);
    await setSetting('requestTimeoutSeconds', 10);
    await vscode.commands.executeCommand('klingVoice.setApiKey', TEST_KEY);
    s3 = await startS3Server();
    endpoint = await startUploadEndpoint({ token: 'upload-token-77' });
    await vscode.commands.executeCommand('klingVoice.setUploadCredentials', {
      provider: 's3',
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    });
    await vscode.commands.executeCommand('klingVoice.setUploadCredentials', {
      provider: 'http',
      token: 'upload-token-77',
    });
    await setUserSettings({
      'upload.provider': 's3',
      'upload.s3.endpoint': s3.endpoint,
      'upload.s3.bucket': s3.bucket,
      'upload.s3.region': 'us-east-1',
      'upload.http.url': `${endpoint.url}/upload`,
      'upload.http.responseUrlPath': 'data.url',
      // Consent given ahead, the way an administrator or a careful user can: this setting lists destinations.
      'upload.consentedDestinations': [`${s3.endpoint}/${s3.bucket}`, `${endpoint.url}/upload`],
    });

    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder, 'the test host opens a workspace');
    dir = vscode.Uri.joinPath(folder, 'samples');
    await vscode.workspace.fs.createDirectory(dir);
    await write('Narrator One.wav', wavBytes([speechLike(8)]));
    await write(
      'narrator_one.wav',
      wavBytes([speechLike(7, 22050), speechLike(7, 22050)], { sampleRate: 22050, bits: 24 }),
    );
    await write('short.wav', wavBytes([speechLike(2)]));
    await write('notes.mp3', Buffer.from('These are meeting notes, not audio.\n'.repeat(100)));
    await write('long.wav', wavBytes([concat(silence(6), speechLike(20), noise(14, 16000, 0.01))]));
    // 12 min of 8 kHz 8-bit mono: 5.8 MB, well under the 50 MB cap, but over the 10 min the host decodes.
    await write('interview.wav', wavBytes([speechLike(720, 8000)], { sampleRate: 8000, bits: 8 }));
  });

  after(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await setUserSetting('upload.provider', 'none');
    await sandbox.close();
    await s3.close();
    await endpoint.close();
  });

  beforeEach(async () => {
    sandbox.reset();
    s3.requests.length = 0;
    await setSetting('apiBaseUrl', sandbox.url);
    await setUserSetting('upload.provider', 's3');
  });

  it('right-click on a valid wav → signed upload to S3 → the sandbox downloads the presigned URL → voice created', async () => {
    const outcomes = await run([file('Narrator One.wav')]);
    assert.strictEqual(outcomes.length, 1);
    assert.strictEqual(outcomes[0].status, 'succeed', outcomes[0].message);
    assert.strictEqual(outcomes[0].voiceName, 'Narrator One');
    const tasks = [...sandbox.state.tasks.values()];
    assert.strictEqual(tasks.length, 1);
    const voiceUrl = new URL(tasks[0].voiceUrl ?? '');
    assert.strictEqual(voiceUrl.origin, s3.endpoint);
    assert.match(voiceUrl.pathname, /^\/voice-samples\/kling-voice-samples\/[0-9a-f-]{36}\/Narrator_One\.wav$/);
    assert.ok(voiceUrl.searchParams.get('X-Amz-Signature'), 'a presigned URL');
    assert.strictEqual(voiceUrl.searchParams.get('X-Amz-Expires'), '3600');
    const put = s3.requests.find((r) => r.method === 'PUT');
    assert.strictEqual(put?.status, 200, 'the signed PUT was accepted');
    const download = s3.requests.find((r) => r.method === 'GET' && r.url.includes('X-Amz-Signature'));
    assert.strictEqual(download?.status, 200, 'the sandbox fetched the sample through the presigned URL');
    assert.strictEqual(outcomes[0].task?.voices[0]?.voiceName, 'Narrator One');
  });

  it('the same through the generic http provider (multipart POST with a Bearer token)', async () => {
    await setUserSetting('upload.provider', 'http');
    const before = endpoint.uploads.length;
    const outcomes = await run([file('Narrator One.wav')], { noPrompt: true, voiceName: 'Via HTTP' });
    assert.strictEqual(outcomes[0].status, 'succeed', outcomes[0].message);
    assert.strictEqual(endpoint.uploads.length, before + 1);
    assert.strictEqual(endpoint.uploads[before].headers.authorization, 'Bearer upload-token-77');
    const task = [...sandbox.state.tasks.values()][0];
    assert.strictEqual(task.voiceName, 'Via HTTP');
    assert.match(task.voiceUrl ?? '', new RegExp(`^${endpoint.url}/files/\\d+/Narrator%20One\\.wav$`));
    assert.ok(endpoint.gets.length > 0, 'the sandbox downloaded the file from the endpoint');
    assert.strictEqual(s3.requests.length, 0);
  });

  it('refuses a too-short file with the real duration: nothing is uploaded and 0 requests reach the API', async () => {
    const outcomes = await run([file('short.wav')]);
    assert.strictEqual(outcomes[0].status, 'refused');
    assert.match(outcomes[0].message ?? '', /short\.wav is 2\.00 s long; Kling needs 5–30 s/);
    assert.strictEqual(sandbox.state.requests.length, 0);
    assert.strictEqual(s3.requests.length, 0);
  });

  it('a batch of three with one bad file: two voices with unique names, one refusal, nothing lost', async () => {
    const uris = [file('Narrator One.wav'), file('notes.mp3'), file('narrator_one.wav')];
    const outcomes = await run(uris);
    assert.deepStrictEqual(
      outcomes.map((o) => o.status),
      ['succeed', 'refused', 'succeed'],
      JSON.stringify(outcomes),
    );
    assert.match(outcomes[1].message ?? '', /notes\.mp3 is not usable audio/);
    const names = outcomes.filter((o) => o.voiceName).map((o) => o.voiceName as string);
    assert.strictEqual(new Set(names.map((n) => n.toLowerCase())).size, 2, `unique names: ${names.join(', ')}`);
    assert.ok(names.every((n) => Array.from(n).length <= 20));
    assert.strictEqual(sandbox.state.tasks.size, 2);
    assert.ok([...sandbox.state.tasks.values()].every((t) => t.status === 'succeed'));
  });

  it('a batch against an account limit of one running task backs off on 1303 and still creates every voice once', async () => {
    const limited = await useSandbox({ concurrencyLimit: 1, processingDelayMs: 300 });
    try {
      await setUserSetting('batch.concurrency', 3);
      const uris = [file('Narrator One.wav'), file('narrator_one.wav'), file('Narrator One.wav')];
      const outcomes = await run(uris);
      assert.deepStrictEqual(
        outcomes.map((o) => o.status),
        ['succeed', 'succeed', 'succeed'],
        JSON.stringify(outcomes.map((o) => o.message)),
      );
      assert.strictEqual(limited.state.tasks.size, 3, 'exactly one task per file');
      assert.ok(
        limited.state.requests.some((r) => r.status === 429),
        'the limit was hit',
      );
    } finally {
      await setUserSetting('batch.concurrency', 2);
      await limited.close();
    }
  });

  it('a 40 s file is refused unless the suggested window is used; then a ≤ 30 s mono WAV is sent', async () => {
    const refused = await run([file('long.wav')]);
    assert.strictEqual(refused[0].status, 'refused');
    assert.match(refused[0].message ?? '', /40\.0 s long; Kling accepts 5–30 s/);
    assert.strictEqual(sandbox.state.requests.length, 0);
    const trimmed = await run([file('long.wav')], { noPrompt: true, trim: 'suggested', normalize: true });
    assert.strictEqual(trimmed[0].status, 'succeed', trimmed[0].message);
    assert.strictEqual(sandbox.state.tasks.size, 1);
  });

  it('a 12 min file is not decoded: refused with its length and the 10 min limit, even with trim, and nothing is sent', async () => {
    for (const options of [{ noPrompt: true }, { noPrompt: true, trim: 'suggested' }]) {
      const outcomes = await run([file('interview.wav')], options);
      assert.strictEqual(outcomes[0].status, 'refused', JSON.stringify(options));
      assert.match(
        outcomes[0].message ?? '',
        /interview\.wav is 720\.0 s \(12 min\) long; Kling accepts 5–30 s, and files over 10 min are not decoded here/,
      );
    }
    // In a batch, the files around it are checked one after another and still go out.
    const batch = await run([file('Narrator One.wav'), file('interview.wav'), file('long.wav')], {
      noPrompt: true,
      trim: 'suggested',
    });
    assert.deepStrictEqual(
      batch.map((o) => o.status),
      ['succeed', 'refused', 'succeed'],
      JSON.stringify(batch.map((o) => o.message)),
    );
    assert.strictEqual(sandbox.state.tasks.size, 2);
  });

  it('without an API key nothing is uploaded: a sample never leaves the machine for a task that cannot start', async () => {
    await vscode.commands.executeCommand('klingVoice.clearApiKey');
    try {
      const outcomes = await run([file('Narrator One.wav')]);
      assert.strictEqual(outcomes[0].status, 'error');
      assert.match(outcomes[0].message ?? '', /No API key is set, so nothing was uploaded/);
      const e = await rejects(api.createVoice({ file: file('Narrator One.wav') }, { consent: true }));
      assert.strictEqual(e.kind, 'noApiKey');
      assert.strictEqual(s3.requests.length, 0);
      assert.strictEqual(sandbox.state.requests.length, 0);
    } finally {
      await vscode.commands.executeCommand('klingVoice.setApiKey', TEST_KEY);
    }
  });

  it('with no provider set, explains what to configure and sends nothing', async () => {
    await setUserSetting('upload.provider', 'none');
    const outcomes = await run([file('Narrator One.wav')]);
    assert.strictEqual(outcomes[0].status, 'error');
    assert.match(outcomes[0].message ?? '', /klingVoice\.upload\.provider/);
    assert.strictEqual(sandbox.state.requests.length, 0);
    assert.strictEqual(s3.requests.length, 0);
  });

  it('real speech as MP3 (decoded in the host by WebAssembly) and MP4 (checked by its headers) become voices', async function () {
    this.timeout(180_000);
    await ensureAudioTools();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-itest-speech-'));
    try {
      const fx = makeToolFixtures(tmp);
      await write('speech.mp3', fs.readFileSync(fx.mp3));
      await write('speech.mp4', fs.readFileSync(fx.mp4));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    const outcomes = await run([file('speech.mp3'), file('speech.mp4')]);
    assert.deepStrictEqual(
      outcomes.map((o) => [o.voiceName, o.status]),
      [
        ['speech', 'succeed'],
        ['speech 2', 'succeed'],
      ],
      JSON.stringify(outcomes.map((o) => o.message)),
    );
    // Object keys hold a random folder, so compare the uploaded file names only.
    const uploaded = [...sandbox.state.tasks.values()]
      .map((t) => path.posix.basename(new URL(t.voiceUrl ?? '').pathname))
      .sort();
    assert.deepStrictEqual(uploaded, ['speech.mp3', 'speech.mp4']);
  });

  it("the API's createVoice({ file }): a path in, the final task out; a bad file rejects with invalidInput and sends nothing", async () => {
    const task = await api.createVoice(
      { voiceName: 'From API', file: file('Narrator One.wav').fsPath },
      { consent: true },
    );
    assert.strictEqual(task.status, 'succeed');
    assert.strictEqual(task.voices[0].voiceName, 'From API');
    sandbox.reset();
    s3.requests.length = 0;
    const e = await rejects(api.createVoice({ file: file('short.wav').toString() }, { consent: true }));
    assert.strictEqual(e.kind, 'invalidInput');
    assert.match(e.message, /2\.00 s long/);
    const long = await rejects(api.createVoice({ file: file('long.wav') }));
    assert.match(long.message, /trim: 'suggested'/);
    const both = await rejects(
      api.createVoice({ voiceName: 'Two sources', file: file('Narrator One.wav'), videoId: '123456' }),
    );
    assert.strictEqual(both.kind, 'invalidInput');
    assert.strictEqual(sandbox.state.requests.length, 0);
    assert.strictEqual(s3.requests.length, 0);
  });

  it('after an unconfirmed create from a file, uploading the same file again looks the first create up; another file is a new voice', async () => {
    const posts = () => sandbox.state.requests.filter((r) => r.method === 'POST');
    const puts = () => s3.requests.filter((r) => r.method === 'PUT');
    // The create's answer is lost after Kling recorded it, and the lookup cannot reach the list: outcome unknown.
    sandbox.faults.push({ kind: 'reset-after-record', match: { method: 'POST' } });
    sandbox.faults.push({ kind: 'unavailable', match: { method: 'GET' }, count: Infinity });
    const unclear = await rejects(
      api.createVoice({ voiceName: 'Retried upload', file: file('Narrator One.wav') }, { consent: true, wait: false }),
    );
    assert.strictEqual(unclear.kind, 'ambiguous');
    const [first] = [...sandbox.state.tasks.values()];
    sandbox.faults.clear();

    // The user tries again: the file is uploaded again (a new object, a new presigned URL), and the earlier
    // request is looked up and followed instead of being sent a second time.
    const again = await api.createVoice(
      { voiceName: 'Retried upload', file: file('Narrator One.wav') },
      { consent: true },
    );
    assert.strictEqual(puts().length, 2, 'uploaded again');
    assert.strictEqual(again.taskId, first.taskId, 'the first task, not a second one');
    assert.strictEqual(again.status, 'succeed');
    assert.strictEqual(posts().length, 1, 'one create, one bill');

    // Another ambiguous create under a new name, then the user picks another file for that name: a new voice.
    sandbox.faults.push({ kind: 'reset-after-record', match: { method: 'POST' } });
    sandbox.faults.push({ kind: 'unavailable', match: { method: 'GET' }, count: Infinity });
    await rejects(
      api.createVoice({ voiceName: 'Other take', file: file('Narrator One.wav') }, { consent: true, wait: false }),
    );
    sandbox.faults.clear();
    const firstTry = posts().at(-1)?.body as { external_task_id?: string; voice_url?: string };
    const other = await api.createVoice({ voiceName: 'Other take', file: file('narrator_one.wav') }, { consent: true });
    const secondTry = posts().at(-1)?.body as { external_task_id?: string; voice_url?: string };
    assert.strictEqual(posts().length, 3, 'the other file is sent');
    assert.ok(
      secondTry.external_task_id && secondTry.external_task_id !== firstTry.external_task_id,
      'with a fresh external id',
    );
    assert.match(secondTry.voice_url ?? '', /\/narrator_one\.wav\?/);
    assert.strictEqual(sandbox.state.findTask(other.taskId)?.voiceName, 'Other take');
    const unconfirmed = [...sandbox.state.tasks.values()].find((t) => t.externalTaskId === firstTry.external_task_id);
    assert.ok(unconfirmed, 'the unconfirmed create did reach the sandbox');
    assert.notStrictEqual(other.taskId, unconfirmed.taskId, 'not the task of the other file');
  });

  describe('with klingVoice.upload.s3.deleteAfterTask', () => {
    /** The object key of the latest upload (the PUT is signed in its headers: its URL is the bucket and key). */
    const lastUploadKey = () => {
      const put = s3.requests.filter((r) => r.method === 'PUT').at(-1);
      assert.ok(put, 'a file was uploaded');
      return decodeURIComponent(put.url.split('?')[0].slice(`/${s3.bucket}/`.length));
    };
    const deletes = () => s3.requests.filter((r) => r.method === 'DELETE');
    const logText = () => {
      const root = process.env.KLING_TEST_USER_DATA_DIR as string;
      const files = (d: string): string[] =>
        fs.existsSync(d)
          ? fs
              .readdirSync(d, { withFileTypes: true })
              .flatMap((e) => (e.isDirectory() ? files(path.join(d, e.name)) : [path.join(d, e.name)]))
          : [];
      return files(path.join(root, 'logs'))
        .filter((f) => /Kling Voice/.test(path.basename(f)))
        .map((f) => fs.readFileSync(f, 'utf8'))
        .join('\n');
    };

    beforeEach(() => setUserSetting('upload.s3.deleteAfterTask', true));
    afterEach(() => setUserSetting('upload.s3.deleteAfterTask', undefined));

    it('a cancel while the task runs keeps the sample for Kling, which downloads it later; it is deleted once the task has ended', async () => {
      // Kling downloads the sample when a worker picks the task up: here 2 s after the create, well after the cancel.
      const slow = await useSandbox({ processingDelayMs: 3_000, downloadDelayMs: 2_000 });
      try {
        const controller = new AbortController();
        const running = run([file('Narrator One.wav')], {
          noPrompt: true,
          voiceName: 'Cancelled upload',
          signal: controller.signal,
        });
        await waitFor('the task to be followed', () => slow.state.requests.some((r) => r.method === 'GET'));
        const key = lastUploadKey();
        const [task] = [...slow.state.tasks.values()];
        assert.notStrictEqual(task.status, 'succeed');
        controller.abort();
        const outcomes = await running;
        assert.strictEqual(outcomes[0].status, 'cancelled', outcomes[0].message);
        assert.ok(s3.objects().includes(key), 'the sample is still there after the cancel');
        assert.strictEqual(deletes().length, 0, 'nothing deleted at the cancel');

        await waitFor(
          'the task to end',
          () => (task.status === 'succeed' || task.status === 'failed' ? true : undefined),
          15_000,
        );
        assert.strictEqual(task.status, 'succeed', `Kling could still download the sample: ${task.statusMsg}`);
        const download = s3.requests.findIndex((r) => r.method === 'GET' && r.url.includes('X-Amz-Signature'));
        assert.strictEqual(s3.requests[download]?.status, 200, 'the presigned URL was downloaded after the cancel');

        const deleted = await waitFor(
          'the sample to be deleted after the task ended',
          () => (s3.objects().includes(key) ? undefined : deletes()[0]),
          15_000,
        );
        await waitFor('the answer to the DELETE', () => deleted.status);
        assert.strictEqual(deletes().length, 1);
        assert.strictEqual(deleted.status, 204);
        assert.ok(s3.requests.indexOf(deleted) > download, 'deleted after the download');
      } finally {
        await slow.close();
      }
    });

    it('a refused create deletes the sample at once; one whose outcome is unknown keeps it and says why in the log', async () => {
      // Refused (no balance, 1102): no task can use the sample.
      sandbox.faults.push({ kind: 'balance' });
      const refused = await rejects(
        api.createVoice({ voiceName: 'Refused upload', file: file('Narrator One.wav') }, { consent: true }),
      );
      assert.strictEqual(refused.code, 1102);
      const refusedKey = lastUploadKey();
      assert.ok(!s3.objects().includes(refusedKey), 'deleted before the call returned');
      assert.strictEqual(deletes().length, 1);

      // The answer is lost after Kling recorded the task, and it cannot be looked up: Kling may be using the sample.
      sandbox.faults.push({ kind: 'reset-after-record', match: { method: 'POST' } });
      sandbox.faults.push({ kind: 'unavailable', match: { method: 'GET' }, count: Infinity });
      const unclear = await rejects(
        api.createVoice({ voiceName: 'Unclear upload', file: file('Narrator One.wav') }, { consent: true }),
      );
      assert.strictEqual(unclear.kind, 'ambiguous');
      const keptKey = lastUploadKey();
      // The extension looks the create up once more in the background (the lookup still fails) before deciding.
      const line = await waitFor(
        'the log to say the sample was kept',
        () =>
          logText()
            .split('\n')
            .find((l) => l.includes('upload: kept') && l.includes(keptKey)),
        40_000,
      );
      assert.match(line, /\[info\]/);
      assert.match(line, /Kling may still download it/);
      assert.ok(s3.objects().includes(keptKey), 'kept');
      assert.strictEqual(deletes().length, 1, 'only the refused one was deleted');
      sandbox.faults.clear();
    });

    it('a window closed while the task runs: the sample is deleted at the next start, once the task has ended (issue 10, row 7)', async () => {
      const slow = await useSandbox({ processingDelayMs: 2_500 });
      const shared = new MemoryMemento(); // globalState, shared by the two "windows"
      const secrets = memorySecrets({
        'klingVoice.apiKey': TEST_KEY,
        'klingVoice.upload.s3.accessKeyId': s3.accessKeyId,
        'klingVoice.upload.s3.secretAccessKey': s3.secretAccessKey,
      });
      const window = () => {
        const { log, lines } = recordingLog();
        const history = new TaskHistory(shared);
        const keys = new KeyStore(secrets);
        const service = new VoiceService(keys, log, fetch as unknown as FetchLike, history);
        return { deps: { context: { secrets, globalState: shared }, service, log }, lines, history, keys };
      };
      const first = window();
      try {
        const task = await createVoiceFromFile(
          first.deps,
          file('Narrator One.wav'),
          { voiceName: 'Closed early' },
          {
            wait: false,
            consent: true,
          },
        );
        const key = lastUploadKey();
        await waitFor('the delete to be recorded', () => (JSON.stringify(shared.get(PENDING)) ?? '').includes(key));
        const stored = JSON.stringify(shared.get(PENDING));
        for (const secret of [s3.secretAccessKey, s3.accessKeyId, TEST_KEY, 'X-Amz-Signature']) {
          assert.ok(!stored.includes(secret), `${secret} is stored`);
        }
        first.deps.service.dispose(); // the window closes before the task ends
        await waitFor('the window to stop following', () =>
          first.lines.some((l) => l.includes('upload: kept') && l.includes(task.taskId)),
        );
        const ended = await waitFor(
          'the task to end',
          () => [...slow.state.tasks.values()].find((t) => t.taskId === task.taskId && t.status === 'succeed'),
          15_000,
        );
        assert.ok(ended);
        assert.ok(s3.objects().includes(key), 'still there after the window closed');
        assert.strictEqual(deletes().length, 0);

        const second = window(); // the next start
        try {
          const registration = registerPendingDeletes(second.deps);
          await waitFor('the sample to be deleted at the next start', () => !s3.objects().includes(key), 15_000);
          await waitFor('the record to be forgotten', () => !(JSON.stringify(shared.get(PENDING)) ?? '').includes(key));
          assert.strictEqual(deletes().length, 1);
          registration.dispose();
        } finally {
          second.deps.service.dispose();
          second.keys.dispose();
          second.history.dispose();
        }
      } finally {
        first.keys.dispose();
        first.history.dispose();
        await slow.close();
        await setSetting('apiBaseUrl', sandbox.url);
      }
    });
  });

  it('logs uploads without credentials, tokens or presigned query strings', async () => {
    await run([file('Narrator One.wav')]);
    const root = process.env.KLING_TEST_USER_DATA_DIR as string;
    const logFiles = (d: string): string[] =>
      fs.existsSync(d)
        ? fs
            .readdirSync(d, { withFileTypes: true })
            .flatMap((e) => (e.isDirectory() ? logFiles(path.join(d, e.name)) : [path.join(d, e.name)]))
        : [];
    const ours = await waitFor('a log that records the upload', () => {
      const hits = logFiles(path.join(root, 'logs')).filter(
        (f) => /Kling Voice/.test(path.basename(f)) && fs.readFileSync(f, 'utf8').includes('upload: PUT'),
      );
      return hits.length ? hits : undefined;
    });
    assert.ok(ours.length >= 1);
    for (const f of logFiles(path.join(root, 'logs'))) {
      const text = fs.readFileSync(f, 'utf8');
      for (const secret of [s3.secretAccessKey, 'upload-token-77', 'X-Amz-Signature', 'X-Amz-Credential']) {
        assert.ok(!text.includes(secret), `${secret} appears in ${f}`);
      }
    }
  });

  it('the interactive path skips the questions it has answers for (name given, clean sample, consented destination)', async () => {
    const outcomes = await run([file('Narrator One.wav')], { voiceName: 'Asked Nothing' });
    assert.strictEqual(outcomes[0].status, 'succeed', outcomes[0].message);
    assert.strictEqual([...sandbox.state.tasks.values()][0].voiceName, 'Asked Nothing');
  });
});
