// The audio worker protocol in plain mocha: the real worker script (out/src/audioWorker/worker.js, as tsc builds it),
// real files on disk, and the failures the host must survive: a job over its time limit, a cancel, a crash.
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AudioJobError, AudioWorkerClient, audioTimeLimitMs } from '../../../src/audioWorker/client';
import { concat, ensureAudioTools, noise, silence, speechLike, wavBytes } from '../../../tools/fixtures/audio';
import { legacyDecodeMp3, legacyExportWindowWav } from '../audio/legacy';

describe('audio worker (worker_threads, real files)', function () {
  this.timeout(60_000);
  let dir: string;
  let client: AudioWorkerClient;
  const file = (name: string) => path.join(dir, name);

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-worker-'));
    fs.writeFileSync(file('long.wav'), wavBytes([concat(silence(6), speechLike(20), noise(14, 16000, 0.01))]));
    fs.writeFileSync(file('ok.wav'), wavBytes([speechLike(10)]));
    // Nine minutes of 16 kHz mono: a real file that takes a while to decode and measure.
    fs.writeFileSync(file('nine.wav'), wavBytes([noise(540, 16000, 0.05)]));
    fs.writeFileSync(file('ff.mp3'), Buffer.alloc(5 * 1024 * 1024, 0xff));
    fs.writeFileSync(
      file('crash.js'),
      "require('worker_threads').parentPort.on('message', () => process.exit(3));\n" +
        "require('worker_threads').parentPort.postMessage({ type: 'ready' });\n",
    );
  });
  beforeEach(() => {
    client = new AudioWorkerClient();
  });
  afterEach(() => client.dispose());
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('inspects a file by path, keeps it for the export, and cuts the suggested window in one job', async () => {
    const r = await client.run({
      type: 'inspect',
      source: { path: file('long.wav') },
      fileName: 'long.wav',
      keep: true,
    });
    assert.strictEqual(r.probe.kind, 'wav');
    assert.strictEqual(Math.round(r.probe.durationSec ?? 0), 40);
    assert.deepStrictEqual(r.rules.trimmable, true);
    assert.strictEqual(r.decoded?.sampleRate, 16000);
    assert.strictEqual(r.decoded?.length, 40 * 16000);
    assert.strictEqual(r.envelope?.length, 2000);
    assert.ok(r.suggested && r.suggested.startSec >= 5 && r.suggested.endSec <= 27, JSON.stringify(r.suggested));
    assert.ok(r.audioId);
    const e = await client.run({
      type: 'export',
      audioId: r.audioId,
      window: { startSec: 6, endSec: 26 },
      normalize: true,
      analyze: true,
      fileName: 'long.wav',
    });
    assert.ok('wav' in e);
    assert.strictEqual(e.wav.length, 44 + 20 * 16000 * 2);
    assert.strictEqual(e.probe?.durationSec, 20);
    assert.ok(Math.abs((e.report?.peakDbfs ?? 0) + 1) < 0.1, `normalised to −1 dBFS: ${e.report?.peakDbfs}`);
    await client.run({ type: 'release', audioId: r.audioId });
    const gone = await client.run({
      type: 'export',
      audioId: r.audioId,
      window: { startSec: 6, endSec: 26 },
      normalize: false,
      analyze: false,
      fileName: 'long.wav',
    });
    assert.deepStrictEqual(gone, { lost: true });
    const trimmed = await client.run({
      type: 'inspect',
      source: { path: file('long.wav') },
      fileName: 'long.wav',
      trim: { normalize: false },
    });
    assert.strictEqual(trimmed.audioId, undefined, 'nothing is kept without keep');
    assert.ok(trimmed.trimmed && trimmed.trimmed.probe?.durationSec, 'the suggested window is exported');
    assert.ok(trimmed.trimmed.window.endSec - trimmed.trimmed.window.startSec >= 5);
  });

  it('exports a kept MP3 window decoded again from the file: the WAV the whole mono mix gave', async () => {
    await ensureAudioTools();
    const mp3 = file('speech.mp3');
    execFileSync('ffmpeg', ['-loglevel', 'error', '-y', '-i', file('long.wav'), '-b:a', '64k', mp3]);
    const r = await client.run({ type: 'inspect', source: { path: mp3 }, fileName: 'speech.mp3', keep: true });
    assert.ok(r.audioId && r.decoded);
    assert.strictEqual(r.decoded.sampleRate, 16000);
    const window = { startSec: 12.3, endSec: 31 };
    const e = await client.run({
      type: 'export',
      audioId: r.audioId,
      window,
      normalize: true,
      analyze: true,
      fileName: 'speech.mp3',
    });
    assert.ok('wav' in e);
    const expected = legacyExportWindowWav(await legacyDecodeMp3(fs.readFileSync(mp3)), window, -1);
    assert.ok(Buffer.from(e.wav).equals(Buffer.from(expected)), 'byte for byte');
    assert.strictEqual(e.report?.channels, 1);
  });

  it('a kept file that changed since its check is not cut: the worker lets it go and says so', async () => {
    fs.copyFileSync(file('long.wav'), file('changing.wav'));
    const r = await client.run({
      type: 'inspect',
      source: { path: file('changing.wav') },
      fileName: 'changing.wav',
      keep: true,
    });
    assert.ok(r.audioId);
    fs.writeFileSync(file('changing.wav'), wavBytes([speechLike(12)]));
    const e = await client.run({
      type: 'export',
      audioId: r.audioId,
      window: { startSec: 1, endSec: 8 },
      normalize: false,
      analyze: false,
      fileName: 'changing.wav',
    });
    assert.deepStrictEqual(e, { lost: true, released: true });
    fs.rmSync(file('changing.wav'));
  });

  it('takes bytes as well (a virtual workspace), transferred', async () => {
    const bytes = new Uint8Array(fs.readFileSync(file('ok.wav')));
    const r = await client.run(
      { type: 'inspect', source: { bytes }, fileName: 'ok.wav' },
      { transfer: [bytes.buffer as ArrayBuffer] },
    );
    assert.strictEqual(bytes.length, 0, 'the buffer went to the worker');
    assert.strictEqual(r.probe.durationSec, 10);
    assert.ok(r.report && r.report.peakDbfs > -12);
  });

  it('refuses 5 MB of 0xFF named .mp3 within a second', async () => {
    await client.run({ type: 'inspect', source: { path: file('ok.wav') }, fileName: 'ok.wav' }); // worker started
    const t0 = Date.now();
    const r = await client.run({ type: 'inspect', source: { path: file('ff.mp3') }, fileName: 'ff.mp3' });
    assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
    assert.strictEqual(r.probe.isAudio, false);
    assert.match(r.probe.problem ?? '', /not a readable audio or video file/);
  });

  it('a job over its time limit terminates the worker; the next job gets a new one and the kept audio is gone', async () => {
    const slow = new AudioWorkerClient({ timeLimitMs: (size) => (size > 1_000_000 ? 20 : 10_000) });
    try {
      const kept = await slow.run({
        type: 'inspect',
        source: { path: file('ok.wav') },
        fileName: 'ok.wav',
        keep: true,
      });
      const first = slow.threadId;
      const t0 = Date.now();
      await assert.rejects(
        slow.run(
          { type: 'inspect', source: { path: file('nine.wav') }, fileName: 'nine.wav' },
          { sizeBytes: fs.statSync(file('nine.wav')).size },
        ),
        (e: unknown) => e instanceof AudioJobError && e.reason === 'timeout' && e.limitMs === 20,
      );
      assert.ok(Date.now() - t0 < 2000, 'refused at the limit, not after the work');
      assert.strictEqual(slow.stats.terminated, 1);
      const next = await slow.run({ type: 'inspect', source: { path: file('ok.wav') }, fileName: 'ok.wav' });
      assert.strictEqual(next.probe.durationSec, 10);
      assert.strictEqual(slow.stats.started, 2);
      assert.notStrictEqual(slow.threadId, first);
      const lost = await slow.run({
        type: 'export',
        audioId: kept.audioId ?? '',
        window: { startSec: 0, endSec: 5 },
        normalize: false,
        analyze: false,
        fileName: 'ok.wav',
      });
      assert.deepStrictEqual(lost, { lost: true });
    } finally {
      slow.dispose();
    }
  });

  it('cancelling a running check terminates the worker; a queued one is dropped without starting', async () => {
    await client.run({ type: 'inspect', source: { path: file('ok.wav') }, fileName: 'ok.wav' });
    const abort = new AbortController();
    const running = client.run(
      { type: 'inspect', source: { path: file('nine.wav') }, fileName: 'nine.wav' },
      {
        signal: abort.signal,
      },
    );
    const queuedAbort = new AbortController();
    const queued = client.run(
      { type: 'inspect', source: { path: file('ok.wav') }, fileName: 'ok.wav' },
      {
        signal: queuedAbort.signal,
      },
    );
    queuedAbort.abort();
    await assert.rejects(queued, (e: unknown) => e instanceof AudioJobError && e.reason === 'cancelled');
    setTimeout(() => abort.abort(), 50);
    await assert.rejects(running, (e: unknown) => e instanceof AudioJobError && e.reason === 'cancelled');
    assert.strictEqual(client.stats.terminated, 1);
    assert.strictEqual(client.threadId, undefined, 'no worker runs after the cancel');
    const again = await client.run({ type: 'inspect', source: { path: file('ok.wav') }, fileName: 'ok.wav' });
    assert.strictEqual(again.probe.kind, 'wav');
  });

  it('a crashed worker fails its job as crashed and is replaced for the next', async () => {
    const crashing = new AudioWorkerClient({ file: file('crash.js') });
    try {
      await assert.rejects(
        crashing.run({ type: 'release', audioId: 'x' }),
        (e: unknown) => e instanceof AudioJobError && e.reason === 'crashed' && /exit code 3/.test(e.message),
      );
      await assert.rejects(crashing.run({ type: 'release', audioId: 'x' }), /exit code 3/);
      assert.strictEqual(crashing.stats.started, 2, 'a new worker for the second job');
    } finally {
      crashing.dispose();
    }
  });

  it('scales the time limit with the size: 15 s for a 10-minute MP3, 5 s at least, 60 s at most', () => {
    assert.strictEqual(audioTimeLimitMs(10 * 1024 * 1024), 15_000);
    assert.strictEqual(audioTimeLimitMs(1000), 5_000);
    assert.strictEqual(audioTimeLimitMs(50 * 1024 * 1024), 60_000);
  });
});
