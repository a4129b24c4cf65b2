// The audio worker in a real extension host: checking a 9-minute MP3 and refusing a file of 0xFF bytes never
// blocks the host's thread (a timer in this process, which is the extension host, keeps ticking), a cancelled
// check terminates its worker, and a batch goes on after one file runs over its time limit.
import * as assert from 'assert';
import { execFile } from 'child_process';
import { promisify } from 'util';
import * as vscode from 'vscode';
import { audioWorker } from '../../src/audioWorker/client';
import type { FileOutcome } from '../../src/fromFile/batch';
import { inspectFile } from '../../src/fromFile/inspect';
import { ensureAudioTools, speechLike, wavBytes } from '../../tools/fixtures/audio';
import { startS3Server, type S3TestServer } from '../../tools/fakes/s3server';
import type { Sandbox } from '../../tools/sandbox';
import { TEST_KEY, getApi, setSetting, useSandbox } from './helpers';

const CMD = 'klingVoice.createVoiceFromFile';

/** The longest gap between the ticks of a 10 ms interval while `work` runs. */
async function longestGap<T>(work: () => PromiseLike<T>): Promise<{ result: T; gapMs: number }> {
  let last = Date.now();
  let gapMs = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 10);
  try {
    const result = await work();
    gapMs = Math.max(gapMs, Date.now() - last);
    return { result, gapMs };
  } finally {
    clearInterval(timer);
  }
}

describe('Audio worker (real host): the host thread is never blocked', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let s3: S3TestServer;
  let dir: vscode.Uri;
  const file = (name: string) => vscode.Uri.joinPath(dir, name);
  const run = (uris: vscode.Uri[], options: object = { noPrompt: true }) =>
    vscode.commands.executeCommand<FileOutcome[]>(CMD, uris[0], uris, options);

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
    await setSetting('upload.provider', 's3');
    await setSetting('upload.s3.endpoint', s3.endpoint);
    await setSetting('upload.s3.bucket', s3.bucket);
    await setSetting('upload.consentedDestinations', [`${s3.endpoint}/${s3.bucket}`]);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    assert.ok(folder, 'the test host opens a workspace');
    dir = vscode.Uri.joinPath(folder, 'worker-samples');
    await vscode.workspace.fs.createDirectory(dir);
    await vscode.workspace.fs.writeFile(file('ok.wav'), wavBytes([speechLike(8)]));
    await vscode.workspace.fs.writeFile(file('ff.mp3'), Buffer.alloc(5 * 1024 * 1024, 0xff));
    await ensureAudioTools();
    // 9 minutes of tone and noise, 128 kb/s stereo: about 8.6 MB.
    // Encoded by a child process, without blocking this thread (the extension host's).
    await promisify(execFile)('ffmpeg', [
      ...['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=220:duration=540'],
      ...['-f', 'lavfi', '-i', 'anoisesrc=d=540:a=0.02', '-filter_complex', 'amix=2', '-ac', '2', '-b:a', '128k'],
      file('nine.mp3').fsPath,
    ]);
  });

  after(async () => {
    delete process.env.KLING_AUDIO_TIME_LIMIT_MS;
    await setSetting('upload.provider', 'none');
    await sandbox.close();
    await s3.close();
  });

  it('checking a 9-minute MP3 and refusing 5 MB of 0xFF leave no gap over 300 ms on the host thread', async () => {
    const nine = await longestGap(() => run([file('nine.mp3')]));
    assert.strictEqual(nine.result[0].status, 'refused');
    assert.match(nine.result[0].message ?? '', /nine\.mp3 is 540\.0 s long; Kling accepts 5–30 s/);
    assert.ok(nine.gapMs < 300, `longest gap ${nine.gapMs} ms while the 9-minute MP3 was checked`);
    const ff = await longestGap(() => run([file('ff.mp3')]));
    assert.strictEqual(ff.result[0].status, 'refused');
    assert.match(ff.result[0].message ?? '', /not a readable audio or video file/);
    assert.ok(ff.gapMs < 300, `longest gap ${ff.gapMs} ms while the 0xFF file was refused`);
  });

  it('cancelling a check terminates the worker that runs it', async () => {
    const worker = audioWorker();
    const abort = new AbortController();
    const check = inspectFile(file('nine.mp3'), { signal: abort.signal });
    const terminated = worker.stats.terminated;
    // The check reads the file's size first: cancel once the worker really has the job.
    for (let i = 0; i < 500 && !(worker.busy && worker.threadId !== undefined); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(worker.busy && worker.threadId !== undefined, 'a worker runs the check');
    abort.abort();
    await assert.rejects(check, (e: Error) => e.name === 'AudioJobError' && /cancelled/.test(e.message));
    assert.strictEqual(worker.stats.terminated, terminated + 1);
    assert.strictEqual(worker.threadId, undefined);
    const again = await inspectFile(file('ok.wav'));
    assert.ok(typeof again !== 'string' && again.probe.durationSec === 8, 'the next check gets a new worker');
  });

  it('a batch goes on after one file runs over its time limit', async () => {
    process.env.KLING_AUDIO_TIME_LIMIT_MS = '1000';
    try {
      const outcomes = await run([file('nine.mp3'), file('ok.wav')], { noPrompt: true });
      assert.strictEqual(outcomes[0].status, 'refused');
      assert.match(
        outcomes[0].message ?? '',
        /nine\.mp3 is not a readable audio file: checking it took longer than 1 s, which a real recording of .* never does\. Export it again as WAV or MP3\./,
      );
      assert.strictEqual(outcomes[1].status, 'succeed', outcomes[1].message);
    } finally {
      delete process.env.KLING_AUDIO_TIME_LIMIT_MS;
    }
  });
});
