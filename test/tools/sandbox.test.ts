/**
 * Tests of the local Kling custom-voice sandbox (tools/sandbox), over real HTTP on loopback with global fetch.
 * Audio fixtures are generated in code and served by a tiny http server started here.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { startSandbox, type FaultKind, type Sandbox, type SandboxOptions } from '../../tools/sandbox';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

/** Mono 16-bit PCM WAV of a sine tone (written independently of tools/sandbox/wav.ts on purpose). */
function wav(seconds: number, sampleRate = 16000): Buffer {
  const n = Math.round(seconds * sampleRate);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + n * 2, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) {
    b.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 330 * i) / sampleRate) * 9000), 44 + i * 2);
  }
  return b;
}

/** MPEG-1 Layer III stream of silent 128 kbps / 44.1 kHz frames. */
function mp3(seconds: number): Buffer {
  const frame = Buffer.alloc(417);
  frame.writeUInt32BE(0xfffb9064, 0);
  return Buffer.concat(Array<Buffer>(Math.round((seconds * 44100) / 1152)).fill(frame));
}

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v, i * 4));
  return b;
}

/** Minimal ISO-BMFF file (moov only) with one AAC audio track ('soun') or one video track. */
function mp4(seconds: number, brand: 'isom' | 'qt  ', withAudio = true): Buffer {
  const rate = 16000;
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12);
  mvhd.writeUInt32BE(Math.round(seconds * 1000), 16);
  mvhd.writeUInt32BE(0x10000, 20);
  mvhd.writeUInt16BE(0x100, 24);
  mvhd.writeUInt32BE(2, 96);
  const tkhd = Buffer.alloc(84);
  tkhd.writeUInt32BE(7, 0);
  tkhd.writeUInt32BE(1, 12);
  tkhd.writeUInt32BE(Math.round(seconds * 1000), 20);
  const mdhd = Buffer.alloc(24);
  mdhd.writeUInt32BE(rate, 12);
  mdhd.writeUInt32BE(Math.round(seconds * rate), 16);
  const hdlr = Buffer.concat([
    u32(0, 0),
    Buffer.from(withAudio ? 'soun' : 'vide', 'latin1'),
    u32(0, 0, 0),
    Buffer.from([0]),
  ]);
  const entry = Buffer.alloc(28);
  entry.writeUInt16BE(1, 6);
  entry.writeUInt16BE(1, 16);
  entry.writeUInt16BE(16, 18);
  entry.writeUInt32BE(rate * 65536, 24);
  const stbl = box(
    'stbl',
    box('stsd', u32(0, 1), box('mp4a', entry)),
    box('stts', u32(0, 0)),
    box('stsc', u32(0, 0)),
    box('stsz', u32(0, 0, 0)),
    box('stco', u32(0, 0)),
  );
  const trak = box('trak', box('tkhd', tkhd), box('mdia', box('mdhd', mdhd), box('hdlr', hdlr), box('minf', stbl)));
  const ftyp = box('ftyp', Buffer.from(brand, 'latin1'), u32(0x200), Buffer.from('isommp41', 'latin1'));
  return Buffer.concat([ftyp, box('moov', box('mvhd', mvhd), trak)]);
}

interface Fixtures {
  base: string;
  callbacks: { path: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

async function startFixtures(): Promise<Fixtures> {
  const files: Record<string, [string, Buffer]> = {
    '/tone-10s.wav': ['audio/wav', wav(10)],
    '/tone-5s.wav': ['audio/wav', wav(5)],
    '/tone-30s.wav': ['audio/wav', wav(30)],
    '/tone-3s.wav': ['audio/wav', wav(3)],
    '/tone-40s.wav': ['audio/wav', wav(40)],
    '/not-audio.wav': ['audio/wav', Buffer.from('<html><body>Sign in to download this file</body></html>')],
    '/voice.mp3': ['audio/mpeg', mp3(12)],
    '/clip.mp4': ['video/mp4', mp4(12, 'isom')],
    '/clip.mov': ['video/quicktime', mp4(12, 'qt  ')],
    '/silent.mp4': ['video/mp4', mp4(12, 'isom', false)],
  };
  const callbacks: Fixtures['callbacks'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (req.method === 'POST' && url.startsWith('/callback')) {
        callbacks.push({
          path: url,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        });
        res.writeHead(200).end('ok');
        return;
      }
      if (url === '/redirect') {
        res.writeHead(302, { Location: '/tone-10s.wav' }).end();
        return;
      }
      if (url === '/hang') {
        return; // never answers
      }
      const file = files[url];
      if (!file) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { 'Content-Type': file[0], 'Content-Length': file[1].length }).end(file[1]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    callbacks,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP helpers

interface VoiceJson {
  voice_id: string;
  voice_name: string;
  trial_url: string;
  owned_by: string;
}

interface TaskJson {
  task_id: string;
  task_status: string;
  task_status_msg?: string;
  task_info?: { external_task_id: string };
  task_result?: { voices?: VoiceJson[] };
  final_unit_deduction?: string;
  created_at: number;
  updated_at: number;
}

interface Envelope<T = unknown> {
  code: number;
  message: string;
  request_id: string;
  data?: T;
}

interface Res<T = unknown> {
  status: number;
  contentType: string;
  text: string;
  body: Envelope<T>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const V = '/v1/general';

async function call<T = unknown>(
  base: string,
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Res<T>> {
  const init: RequestInit = { method, headers: { 'Content-Type': 'application/json', ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const r = await fetch(base + route, init);
  const text = await r.text();
  let parsed: unknown = undefined;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: r.status, contentType: r.headers.get('content-type') ?? '', text, body: parsed as Envelope<T> };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function assertError(r: Res, status: number, code: number, message?: RegExp | string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.body.code, code, r.text);
  assert.match(r.body.request_id, UUID);
  assert.equal('data' in r.body, false, 'error bodies have no data');
  if (typeof message === 'string') {
    assert.equal(r.body.message, message);
  } else if (message) {
    assert.match(r.body.message, message);
  }
}

async function create(sb: Sandbox, body: Record<string, unknown>): Promise<TaskJson> {
  const r = await call<TaskJson>(sb.url, 'POST', `${V}/custom-voices`, body);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.code, 0, r.text);
  return r.body.data as TaskJson;
}

async function getTask(sb: Sandbox, taskId: string): Promise<TaskJson> {
  const r = await call<TaskJson>(sb.url, 'GET', `${V}/custom-voices/${taskId}`);
  assert.equal(r.status, 200, r.text);
  return r.body.data as TaskJson;
}

async function waitDone(sb: Sandbox, taskId: string, timeoutMs = 8000): Promise<TaskJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await getTask(sb, taskId);
    if (t.task_status === 'succeed' || t.task_status === 'failed') {
      return t;
    }
    if (Date.now() > deadline) {
      throw new Error(`task ${taskId} still ${t.task_status}`);
    }
    await sleep(25);
  }
}

function assertLongId(id: unknown): void {
  assert.equal(typeof id, 'string');
  assert.match(id as string, /^\d{18,19}$/);
  assert.ok(BigInt(id as string) > 2n ** 53n, `${String(id)} should exceed 2^53`);
}

// ---------------------------------------------------------------------------------------------------------------

describe('Kling sandbox', function () {
  this.timeout(20000);
  let fx: Fixtures;
  const opened: Sandbox[] = [];

  async function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
    const sb = await startSandbox({ processingDelayMs: 120, ...options });
    opened.push(sb);
    return sb;
  }

  before(async () => {
    fx = await startFixtures();
  });

  after(async () => {
    await Promise.all(opened.map((sb) => sb.close()));
    await fx.close();
  });

  describe('create and envelope', () => {
    let sb: Sandbox;
    before(async () => {
      sb = await sandbox();
    });
    beforeEach(() => sb.reset());

    it('returns the Kling envelope with string ids on create', async () => {
      const r = await call<TaskJson>(sb.url, 'POST', `${V}/custom-voices`, {
        voice_name: 'Narrator A',
        video_id: '123456789',
        external_task_id: 'vsc-1',
      });
      assert.equal(r.status, 200);
      assert.match(r.contentType, /^application\/json/);
      assert.equal(r.body.code, 0);
      assert.equal(r.body.message, 'SUCCEED');
      assert.match(r.body.request_id, UUID);
      const d = r.body.data as TaskJson;
      assert.deepEqual(Object.keys(d), ['task_id', 'task_info', 'task_status', 'created_at', 'updated_at']);
      assertLongId(d.task_id);
      assert.match(r.text, /"task_id":"\d{18,19}"/, 'task_id must be a JSON string, not a number');
      assert.equal(d.task_status, 'submitted');
      assert.deepEqual(d.task_info, { external_task_id: 'vsc-1' });
      assert.equal(typeof d.created_at, 'number');
      assert.ok(Math.abs(d.created_at - Date.now()) < 5000, 'created_at is in milliseconds');
      assert.equal(d.updated_at, d.created_at);
    });

    it('echoes "" as external_task_id when none is given', async () => {
      const d = await create(sb, { voice_name: 'X', video_id: '123456' });
      assert.deepEqual(d.task_info, { external_task_id: '' });
    });

    it('validates the create body like the real service', async () => {
      const cases: [unknown, number, RegExp][] = [
        ['{not json', 1200, /JSON/],
        [[1, 2], 1200, /object/],
        [{ video_id: '123456' }, 1200, /voice_name/],
        [{ voice_name: 42, video_id: '123456' }, 1200, /voice_name/],
        [{ voice_name: '', video_id: '123456' }, 1201, /voice_name/],
        [{ voice_name: 'x'.repeat(21), video_id: '123456' }, 1201, /voice_name/],
        [{ voice_name: 'ok' }, 1200, /voice_url or video_id/],
        [{ voice_name: 'ok', voice_url: '', video_id: '' }, 1200, /voice_url or video_id/],
        [{ voice_name: 'ok', voice_url: `${fx.base}/tone-10s.wav`, video_id: '123456' }, 1200, /both/],
        [{ voice_name: 'ok', voice_url: 'ftp://example.com/a.wav' }, 1201, /voice_url/],
        [{ voice_name: 'ok', video_id: 'abc' }, 1201, /video_id not found/],
        [{ voice_name: 'ok', video_id: '12345' }, 1201, /video_id not found/],
        [{ voice_name: 'ok', video_id: 123456 }, 1200, /video_id/],
        [{ voice_name: 'ok', video_id: '123456', callback_url: 'not a url' }, 1201, /callback_url/],
      ];
      for (const [body, code, message] of cases) {
        const r = await call(sb.url, 'POST', `${V}/custom-voices`, body);
        assertError(r, 400, code, message);
      }
      assert.equal(sb.state.tasks.size, 0);
    });

    it('counts voice_name length in Unicode code points (20 emoji ok, 21 not)', async () => {
      await create(sb, { voice_name: '🎙'.repeat(20), video_id: '123456' });
      await create(sb, { voice_name: '语音克隆测试', video_id: '123456' });
      const r = await call(sb.url, 'POST', `${V}/custom-voices`, { voice_name: '🎙'.repeat(21), video_id: '123456' });
      assertError(r, 400, 1201);
    });

    it('treats "" as absent for the other source field (the official curl sample)', async () => {
      const d = await create(sb, { voice_name: 'ok', voice_url: `${fx.base}/tone-10s.wav`, video_id: '' });
      assert.equal((await waitDone(sb, d.task_id)).task_status, 'succeed');
    });

    it('rejects a duplicate external_task_id', async () => {
      await create(sb, { voice_name: 'a', video_id: '123456', external_task_id: 'dup' });
      const r = await call(sb.url, 'POST', `${V}/custom-voices`, {
        voice_name: 'b',
        video_id: '123456',
        external_task_id: 'dup',
      });
      assertError(r, 400, 1201, 'external_task_id already exists');
      // "" is "none" and never clashes
      await create(sb, { voice_name: 'c', video_id: '123456', external_task_id: '' });
      await create(sb, { voice_name: 'd', video_id: '123456', external_task_id: '' });
    });

    it('answers unknown paths with 404/1203 and wrong methods with 404/1202', async () => {
      assertError(await call(sb.url, 'GET', '/v1/general/nope'), 404, 1203);
      assertError(await call(sb.url, 'GET', '/v2/general/custom-voices'), 404, 1203);
      assertError(await call(sb.url, 'DELETE', `${V}/custom-voices`), 404, 1202);
      assertError(await call(sb.url, 'PUT', `${V}/custom-voices/123`), 404, 1202);
      assertError(await call(sb.url, 'GET', `${V}/delete-voices`), 404, 1202);
      assertError(await call(sb.url, 'POST', `${V}/presets-voices`, {}), 404, 1202);
    });

    it('records every request with headers and parsed body', async () => {
      await call(sb.url, 'POST', `${V}/custom-voices`, { voice_name: 'rec', video_id: '123456' }, { 'X-Test': 'yes' });
      await call(sb.url, 'GET', `${V}/presets-voices?pageNum=1&pageSize=2`);
      assert.equal(sb.state.requests.length, 2);
      const [post, get] = sb.state.requests;
      assert.equal(post.method, 'POST');
      assert.equal(post.path, `${V}/custom-voices`);
      assert.equal(post.status, 200);
      assert.equal(post.headers['x-test'], 'yes');
      assert.equal(post.headers['content-type'], 'application/json');
      assert.deepEqual(post.body, { voice_name: 'rec', video_id: '123456' });
      assert.deepEqual(get.query, { pageNum: '1', pageSize: '2' });
      assert.equal(get.body, undefined);
    });
  });

  describe('task lifecycle', () => {
    it('goes submitted → processing → succeed, with task_result {} while running', async () => {
      const sb = await sandbox({ processingDelayMs: 900 });
      const created = await create(sb, { voice_name: 'Narrator A', video_id: '987654321', external_task_id: 'life-1' });
      const first = await getTask(sb, created.task_id);
      assert.equal(first.task_status, 'submitted');
      assert.deepEqual(first.task_result, {});
      assert.equal(first.task_status_msg, '');
      assert.equal('final_unit_deduction' in first, false);
      await sleep(450);
      const mid = await getTask(sb, created.task_id);
      assert.equal(mid.task_status, 'processing');
      assert.deepEqual(mid.task_result, {});
      assert.ok(mid.updated_at > mid.created_at);
      const done = await waitDone(sb, created.task_id);
      assert.equal(done.task_status, 'succeed');
      assert.equal(done.task_status_msg, '');
      assert.equal(done.final_unit_deduction, '0.05');
      assert.deepEqual(done.task_info, { external_task_id: 'life-1' });
      assert.deepEqual(Object.keys(done), [
        'task_id',
        'task_status',
        'task_status_msg',
        'task_info',
        'task_result',
        'final_unit_deduction',
        'created_at',
        'updated_at',
      ]);
      const voices = done.task_result?.voices ?? [];
      assert.equal(voices.length, 1);
      assertLongId(voices[0].voice_id);
      assert.notEqual(voices[0].voice_id, done.task_id);
      assert.equal(voices[0].voice_name, 'Narrator A');
      assert.match(voices[0].owned_by, /^\d+$/);
      assert.ok(voices[0].trial_url.startsWith(`${sb.url}/__sandbox/trial/`));
      const history = sb.state.findTask(created.task_id)?.history.map((h) => h.status);
      assert.deepEqual(history, ['submitted', 'processing', 'succeed']);
      assert.deepEqual(sb.state.voices, voices);

      const trial = await fetch(voices[0].trial_url);
      assert.equal(trial.status, 200);
      assert.equal(trial.headers.get('content-type'), 'audio/wav');
      const bytes = Buffer.from(await trial.arrayBuffer());
      assert.equal(bytes.toString('latin1', 0, 4), 'RIFF');
      assert.equal(bytes.toString('latin1', 8, 12), 'WAVE');
      assert.ok(bytes.length > 16000 * 2, 'a couple of seconds of audio');
      // Served like a CDN serves media: in byte ranges, so a player can seek in it.
      assert.equal(trial.headers.get('accept-ranges'), 'bytes');
      const part = await fetch(voices[0].trial_url, { headers: { range: 'bytes=100-199' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 100-199/${bytes.length}`);
      assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));
      const tail = await fetch(voices[0].trial_url, { headers: { range: 'bytes=-10' } });
      assert.deepEqual(Buffer.from(await tail.arrayBuffer()), bytes.subarray(bytes.length - 10));
      const past = await fetch(voices[0].trial_url, { headers: { range: `bytes=${bytes.length}-` } });
      assert.equal(past.status, 416);
    });

    it('fails video_id "000000" and ids containing "fail" with a clear message', async () => {
      const sb = await sandbox();
      for (const videoId of ['000000', '123fail456']) {
        const d = await create(sb, { voice_name: 'v', video_id: videoId });
        const done = await waitDone(sb, d.task_id);
        assert.equal(done.task_status, 'failed');
        assert.equal(done.task_status_msg, 'video has no usable audio track');
        assert.deepEqual(done.task_result, {});
        assert.equal('final_unit_deduction' in done, false);
      }
    });

    it('downloads and checks voice_url (status, format, 5–30 s duration)', async () => {
      const sb = await sandbox();
      const expectations: [string, string, string?][] = [
        ['/tone-10s.wav', 'succeed'],
        ['/tone-5s.wav', 'succeed'],
        ['/tone-30s.wav', 'succeed'],
        ['/redirect', 'succeed'],
        ['/voice.mp3', 'succeed'],
        ['/clip.mp4', 'succeed'],
        ['/clip.mov', 'succeed'],
        ['/tone-3s.wav', 'failed', 'audio duration 3.0s is outside 5-30s'],
        ['/tone-40s.wav', 'failed', 'audio duration 40.0s is outside 5-30s'],
        ['/missing.wav', 'failed', 'voice_url could not be downloaded (HTTP 404)'],
        ['/not-audio.wav', 'failed', 'voice_url is not a supported audio file'],
        ['/silent.mp4', 'failed', 'video has no usable audio track'],
      ];
      const tasks = await Promise.all(
        expectations.map(([p]) => create(sb, { voice_name: p.slice(1, 20), voice_url: fx.base + p })),
      );
      for (let i = 0; i < tasks.length; i++) {
        const [p, status, message] = expectations[i];
        const done = await waitDone(sb, tasks[i].task_id);
        assert.equal(done.task_status, status, `${p}: ${done.task_status_msg ?? ''}`);
        if (message) {
          assert.equal(done.task_status_msg, message, p);
        } else {
          assert.equal(done.task_result?.voices?.length, 1, p);
        }
      }
      // The download really happened (redirect followed).
      assert.ok(sb.state.tasks.size === expectations.length);
    });

    it('with downloadDelayMs downloads voice_url that much later (what the file is then decides the task)', async () => {
      // A file that is there only while `present` is true, like an object in a bucket that can be deleted.
      let present = false;
      const gets: number[] = [];
      const sample = wav(8);
      const files = http.createServer((req, res) => {
        gets.push(Date.now());
        if (present) {
          res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': sample.length }).end(sample);
        } else {
          res.writeHead(404).end('gone');
        }
      });
      await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/late.wav`;
      try {
        const sb = await sandbox({ processingDelayMs: 100, downloadDelayMs: 500 });
        const started = Date.now();
        const late = await create(sb, { voice_name: 'late', voice_url: url });
        await sleep(200);
        assert.equal(gets.length, 0, 'not downloaded yet');
        assert.notEqual((await getTask(sb, late.task_id)).task_status, 'succeed', 'the end waits for the download');
        present = true;
        const done = await waitDone(sb, late.task_id);
        assert.equal(done.task_status, 'succeed', done.task_status_msg);
        assert.equal(gets.length, 1);
        assert.ok(gets[0] - started >= 450, `downloaded after ${gets[0] - started} ms`);
        // Gone by the time of the download: the task fails although the file was there at the create.
        const gone = await create(sb, { voice_name: 'gone', voice_url: url });
        present = false;
        const failed = await waitDone(sb, gone.task_id);
        assert.equal(failed.task_status, 'failed');
        assert.equal(failed.task_status_msg, 'voice_url could not be downloaded (HTTP 404)');
      } finally {
        files.closeAllConnections();
        await new Promise<void>((r) => files.close(() => r()));
      }
    });

    it('fails when voice_url cannot be reached or times out', async () => {
      const sb = await sandbox({ downloadTimeoutMs: 300 });
      const refused = await create(sb, { voice_name: 'r', voice_url: 'http://127.0.0.1:9/none.wav' });
      const hang = await create(sb, { voice_name: 'h', voice_url: `${fx.base}/hang` });
      const r = await waitDone(sb, refused.task_id);
      assert.equal(r.task_status, 'failed');
      assert.match(r.task_status_msg ?? '', /^voice_url could not be downloaded \(/);
      const h = await waitDone(sb, hang.task_id);
      assert.equal(h.task_status, 'failed');
      assert.equal(h.task_status_msg, 'voice_url could not be downloaded (timed out after 0.3s)');
    });

    it('POSTs the bare task object to callback_url on every status change', async () => {
      const sb = await sandbox({ processingDelayMs: 300 });
      const d = await create(sb, { voice_name: 'cb', video_id: '555555', callback_url: `${fx.base}/callback/1` });
      await waitDone(sb, d.task_id);
      const deadline = Date.now() + 3000;
      while (fx.callbacks.filter((c) => c.path === '/callback/1').length < 3 && Date.now() < deadline) {
        await sleep(20);
      }
      const mine = fx.callbacks.filter((c) => c.path === '/callback/1').map((c) => c.body);
      assert.deepEqual(
        mine.map((b) => b.task_status),
        ['submitted', 'processing', 'succeed'],
      );
      for (const b of mine) {
        assert.equal(b.task_id, d.task_id);
        assert.equal('code' in b, false, 'no envelope');
      }
      const last = mine[2] as unknown as TaskJson;
      assert.equal(last.task_result?.voices?.length, 1);
      assert.equal(last.final_unit_deduction, '0.05');
      // The receiver has the third body before the sandbox has read the answer to it: wait for that too.
      while (sb.state.callbacks.some((c) => c.status === undefined && c.error === undefined) && Date.now() < deadline) {
        await sleep(20);
      }
      assert.deepEqual(
        sb.state.callbacks.map((c) => c.status),
        [200, 200, 200],
      );
    });

    it('enforces an optional concurrency limit with 429/1303', async () => {
      const sb = await sandbox({ processingDelayMs: 300, concurrencyLimit: 1 });
      const first = await create(sb, { voice_name: 'a', video_id: '123456' });
      const r = await call(sb.url, 'POST', `${V}/custom-voices`, { voice_name: 'b', video_id: '123456' });
      assertError(r, 429, 1303, 'parallel task over resource pack limit');
      await waitDone(sb, first.task_id);
      await create(sb, { voice_name: 'c', video_id: '123456' });
    });
  });

  describe('query, list, presets, delete', () => {
    let sb: Sandbox;
    before(async () => {
      sb = await sandbox({ processingDelayMs: 30 });
    });
    beforeEach(() => sb.reset());

    it('answers 400/1201 "task not found" for an unknown task_id', async () => {
      assertError(await call(sb.url, 'GET', `${V}/custom-voices/930801301486305328`), 400, 1201, 'task not found');
    });

    it('looks a task up by external_task_id in both request styles', async () => {
      const d = await create(sb, { voice_name: 'e', video_id: '123456', external_task_id: 'ext-42' });
      const q = await call<TaskJson>(sb.url, 'GET', `${V}/custom-voices?external_task_id=ext-42`);
      assert.equal(q.status, 200);
      assert.equal((q.body.data as TaskJson).task_id, d.task_id);
      assert.equal(Array.isArray(q.body.data), false);
      const p = await call<TaskJson>(sb.url, 'GET', `${V}/custom-voices/ext-42?external_task_id=true`);
      assert.equal((p.body.data as TaskJson).task_id, d.task_id);
      assertError(await call(sb.url, 'GET', `${V}/custom-voices?external_task_id=nope`), 400, 1201, 'task not found');
      assertError(await call(sb.url, 'GET', `${V}/custom-voices/nope?external_task_id=true`), 400, 1201);
      // The plain path only takes a task_id.
      assertError(await call(sb.url, 'GET', `${V}/custom-voices/ext-42`), 400, 1201);
    });

    it('lists own tasks newest first with paging and range checks', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await create(sb, { voice_name: `v${i}`, video_id: '123456' })).task_id);
      }
      const all = await call<TaskJson[]>(sb.url, 'GET', `${V}/custom-voices`);
      assert.equal(all.body.code, 0);
      assert.deepEqual(
        (all.body.data ?? []).map((t) => t.task_id),
        [...ids].reverse(),
      );
      const page = async (q: string): Promise<string[]> =>
        ((await call<TaskJson[]>(sb.url, 'GET', `${V}/custom-voices?${q}`)).body.data ?? []).map((t) => t.task_id);
      assert.deepEqual(await page('pageNum=1&pageSize=2'), [ids[4], ids[3]]);
      assert.deepEqual(await page('pageNum=2&pageSize=2'), [ids[2], ids[1]]);
      assert.deepEqual(await page('pageNum=3&pageSize=2'), [ids[0]]);
      assert.deepEqual(await page('pageNum=4&pageSize=2'), []);
      assert.equal((await page('pageSize=500')).length, 5);
      for (const q of ['pageNum=0', 'pageNum=1001', 'pageSize=0', 'pageSize=501', 'pageNum=abc', 'pageSize=1.5']) {
        assertError(await call(sb.url, 'GET', `${V}/custom-voices?${q}`), 400, 1201);
      }
      assert.doesNotMatch(all.text, /"task_id":\d/, 'ids stay strings');
    });

    it('lists 7 presets owned by "kling" with playable trial_url, paged the same way', async () => {
      const r = await call<TaskJson[]>(sb.url, 'GET', `${V}/presets-voices`);
      assert.equal(r.status, 200);
      const presets = r.body.data ?? [];
      assert.equal(presets.length, 7);
      const names = presets.map((p) => p.task_result?.voices?.[0].voice_name);
      assert.ok(names.includes('Warm Narrator'));
      for (const p of presets) {
        assertLongId(p.task_id);
        assert.equal(p.task_status, 'succeed');
        assert.equal('task_info' in p, false);
        assert.equal('final_unit_deduction' in p, false);
        const v = p.task_result?.voices?.[0];
        assert.ok(v);
        assertLongId(v.voice_id);
        assert.equal(v.owned_by, 'kling');
        assert.ok(v.trial_url.startsWith(`${sb.url}/__sandbox/trial/`));
      }
      const trial = await fetch(presets[0].task_result?.voices?.[0].trial_url ?? '');
      assert.equal(trial.status, 200);
      assert.equal(trial.headers.get('content-type'), 'audio/wav');
      const p3 = await call<TaskJson[]>(sb.url, 'GET', `${V}/presets-voices?pageNum=3&pageSize=3`);
      assert.equal(p3.body.data?.length, 1);
      assertError(await call(sb.url, 'GET', `${V}/presets-voices?pageSize=501`), 400, 1201);
    });

    it('deletes a custom voice, which then leaves the list', async () => {
      const keep = await create(sb, { voice_name: 'keep', video_id: '123456' });
      const d = await create(sb, { voice_name: 'gone', video_id: '123456' });
      const done = await waitDone(sb, d.task_id);
      await waitDone(sb, keep.task_id);
      const voice = done.task_result?.voices?.[0];
      assert.ok(voice);
      const r = await call<{ task_id: string; task_status: string }>(sb.url, 'POST', `${V}/delete-voices`, {
        voice_id: voice.voice_id,
      });
      assert.equal(r.status, 200);
      assert.equal(r.body.code, 0);
      assert.deepEqual(r.body.data, { task_id: d.task_id, task_status: 'succeed' });
      const list = await call<TaskJson[]>(sb.url, 'GET', `${V}/custom-voices`);
      assert.deepEqual(
        (list.body.data ?? []).map((t) => t.task_id),
        [keep.task_id],
      );
      assert.equal(sb.state.voices.length, 1);
      assert.equal((await fetch(voice.trial_url)).status, 404);
      const again = await call(sb.url, 'POST', `${V}/delete-voices`, { voice_id: voice.voice_id });
      assertError(again, 400, 1201, 'Voice id not found');
    });

    it('refuses to delete presets, unknown ids and bodies without voice_id', async () => {
      assertError(
        await call(sb.url, 'POST', `${V}/delete-voices`, { voice_id: '829301554810966001' }),
        400,
        1201,
        'Voice id not found',
      );
      assertError(
        await call(sb.url, 'POST', `${V}/delete-voices`, { voice_id: '123' }),
        400,
        1201,
        'Voice id not found',
      );
      assertError(await call(sb.url, 'POST', `${V}/delete-voices`, {}), 400, 1200);
      assertError(await call(sb.url, 'POST', `${V}/delete-voices`, 'oops'), 400, 1200);
    });
  });

  describe('auth and prefix', () => {
    let sb: Sandbox;
    const auth = { Authorization: 'Bearer sk-test' };
    before(async () => {
      sb = await sandbox({ apiKey: 'sk-test', pathPrefix: '/kling' });
    });

    it('puts the prefix in url', () => {
      assert.match(sb.url, /^http:\/\/127\.0\.0\.1:\d+\/kling$/);
      assert.equal(sb.url, `http://127.0.0.1:${sb.port}/kling`);
    });

    it('needs the right bearer key (401/1001 missing, 401/1002 wrong)', async () => {
      assertError(await call(sb.url, 'GET', `${V}/presets-voices`), 401, 1001);
      assertError(
        await call(sb.url, 'GET', `${V}/presets-voices`, undefined, { Authorization: 'Bearer nope' }),
        401,
        1002,
      );
      assertError(await call(sb.url, 'GET', `${V}/presets-voices`, undefined, { Authorization: 'sk-test' }), 401, 1002);
      const r = await call(sb.url, 'GET', `${V}/presets-voices`, undefined, auth);
      assert.equal(r.status, 200);
      const last = sb.state.requests[sb.state.requests.length - 1];
      assert.equal(last.headers.authorization, 'Bearer sk-test');
      assert.equal(last.path, `/kling${V}/presets-voices`);
    });

    it('answers 404 outside the prefix, while admin and trial routes need no key', async () => {
      const origin = `http://127.0.0.1:${sb.port}`;
      assertError(await call(origin, 'GET', `${V}/presets-voices`, undefined, auth), 404, 1203);
      const presets = await call<TaskJson[]>(sb.url, 'GET', `${V}/presets-voices`, undefined, auth);
      const trialUrl = presets.body.data?.[0].task_result?.voices?.[0].trial_url ?? '';
      assert.ok(trialUrl.startsWith(`${origin}/kling/__sandbox/trial/`));
      assert.equal((await fetch(trialUrl)).status, 200);
      assert.equal((await fetch(`${origin}/__sandbox/state`)).status, 200);
    });
  });

  describe('faults', () => {
    let sb: Sandbox;
    const createBody = { voice_name: 'f', video_id: '123456' };
    before(async () => {
      sb = await sandbox();
    });
    beforeEach(() => sb.reset());

    const kling: [FaultKind, number, number][] = [
      ['rate-limit', 429, 1302],
      ['concurrency', 429, 1303],
      ['balance', 429, 1102],
      ['ip-whitelist', 429, 1304],
      ['server-error', 500, 5000],
      ['unavailable', 503, 5001],
      ['auth', 401, 1002],
    ];
    for (const [kind, status, code] of kling) {
      it(`'${kind}' answers ${status}/${code} once and creates nothing`, async () => {
        sb.faults.push({ kind });
        const r = await call(sb.url, 'POST', `${V}/custom-voices`, createBody);
        assertError(r, status, code);
        assert.equal(sb.state.tasks.size, 0);
        assert.equal(sb.state.requests[0].fault, kind);
        assert.equal(sb.state.requests[0].status, status);
        await create(sb, createBody);
        assert.equal(sb.faults.size, 0);
      });
    }

    it("'concurrency' and 'balance' carry the live messages", async () => {
      sb.faults.push({ kind: 'concurrency' });
      sb.faults.push({ kind: 'balance' });
      assertError(
        await call(sb.url, 'POST', `${V}/custom-voices`, createBody),
        429,
        1303,
        'parallel task over resource pack limit',
      );
      assertError(
        await call(sb.url, 'POST', `${V}/custom-voices`, createBody),
        429,
        1102,
        'Account balance not enough',
      );
    });

    it("'gateway' answers 502 with an HTML body", async () => {
      sb.faults.push({ kind: 'gateway' });
      const r = await call(sb.url, 'GET', `${V}/presets-voices`);
      assert.equal(r.status, 502);
      assert.match(r.contentType, /^text\/html/);
      assert.equal(r.text, '<html><body>502 Bad Gateway</body></html>');
    });

    it("'html' answers 200 with an HTML page", async () => {
      sb.faults.push({ kind: 'html' });
      const r = await call(sb.url, 'GET', `${V}/presets-voices`);
      assert.equal(r.status, 200);
      assert.match(r.contentType, /^text\/html/);
      assert.match(r.text, /<html/i);
    });

    it("'echo' answers 200 with the request body (the ChainHub doc artifact) and creates nothing", async () => {
      sb.faults.push({ kind: 'echo' });
      const r = await call(sb.url, 'POST', `${V}/custom-voices`, createBody);
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.text), createBody);
      assert.equal(sb.state.tasks.size, 0);
    });

    it("'non-json' answers 200 text OK", async () => {
      sb.faults.push({ kind: 'non-json' });
      const r = await call(sb.url, 'POST', `${V}/delete-voices`, { voice_id: '1' });
      assert.equal(r.status, 200);
      assert.equal(r.text, 'OK');
      assert.doesNotMatch(r.contentType, /json/);
    });

    it("'nested-error' answers CometAPI's nested 400 shape", async () => {
      sb.faults.push({ kind: 'nested-error' });
      const r = await call(sb.url, 'POST', `${V}/delete-voices`, { voice_id: '1' });
      assert.equal(r.status, 400);
      const b = JSON.parse(r.text) as { message: string; code?: number; data: { message: string; data: Envelope } };
      assert.equal(b.message, 'Voice id not found');
      assert.equal(b.code, undefined);
      assert.equal(b.data.message, 'Voice id not found');
      assert.equal(b.data.data.code, 1201);
      assert.equal(b.data.data.message, 'Voice id not found');
      assert.match(b.data.data.request_id, UUID);
    });

    it("'reset' drops the connection and creates nothing", async () => {
      sb.faults.push({ kind: 'reset' });
      await assert.rejects(call(sb.url, 'POST', `${V}/custom-voices`, createBody));
      assert.equal(sb.state.tasks.size, 0);
      assert.equal(sb.state.requests[0].status, 0);
    });

    it("'reset-after-record' creates the task, then drops the connection", async () => {
      sb.faults.push({ kind: 'reset-after-record' });
      await assert.rejects(call(sb.url, 'POST', `${V}/custom-voices`, { ...createBody, external_task_id: 'rar-1' }));
      assert.equal(sb.state.tasks.size, 1);
      const q = await call<TaskJson>(sb.url, 'GET', `${V}/custom-voices?external_task_id=rar-1`);
      assert.equal(q.status, 200);
      const again = await call(sb.url, 'POST', `${V}/custom-voices`, { ...createBody, external_task_id: 'rar-1' });
      assertError(again, 400, 1201, 'external_task_id already exists');
    });

    it("'timeout-after-record' creates the task, then answers 500/5000 (or stalls and answers 504/5002)", async () => {
      sb.faults.push({ kind: 'timeout-after-record' });
      assertError(
        await call(sb.url, 'POST', `${V}/custom-voices`, { ...createBody, external_task_id: 't-1' }),
        500,
        5000,
      );
      assert.ok(sb.state.findTaskByExternalId('t-1'));
      sb.faults.push({ kind: 'timeout-after-record', delayMs: 200 });
      const started = Date.now();
      assertError(
        await call(sb.url, 'POST', `${V}/custom-voices`, { ...createBody, external_task_id: 't-2' }),
        504,
        5002,
      );
      assert.ok(Date.now() - started >= 190);
      assert.ok(sb.state.findTaskByExternalId('t-2'));
    });

    it("'slow' waits delayMs and then answers normally", async () => {
      sb.faults.push({ kind: 'slow', delayMs: 250 });
      const started = Date.now();
      const d = await create(sb, createBody);
      assert.ok(Date.now() - started >= 240);
      assertLongId(d.task_id);
    });

    it('matches faults by method and path (substring or RegExp) and honours count', async () => {
      sb.faults.push({ kind: 'rate-limit', match: { method: 'get', path: '/presets-voices' }, count: 2 });
      sb.faults.push({ kind: 'server-error', match: { path: /^\/v1\/general\/delete-voices$/ } });
      await create(sb, createBody); // POST: no match
      assertError(await call(sb.url, 'GET', `${V}/presets-voices`), 429, 1302);
      assertError(await call(sb.url, 'GET', `${V}/presets-voices`), 429, 1302);
      assert.equal((await call(sb.url, 'GET', `${V}/presets-voices`)).status, 200);
      assertError(await call(sb.url, 'POST', `${V}/delete-voices`, { voice_id: '1' }), 500, 5000);
      assertError(await call(sb.url, 'POST', `${V}/delete-voices`, { voice_id: '1' }), 400, 1201);
      sb.faults.push({ kind: 'unavailable' });
      assert.equal(sb.faults.size, 1);
      sb.faults.clear();
      assert.equal((await call(sb.url, 'GET', `${V}/presets-voices`)).status, 200);
      assert.throws(() => sb.faults.push({ kind: 'bogus' as FaultKind }));
    });

    it('exposes faults, state and reset over HTTP for other processes', async () => {
      const admin = `http://127.0.0.1:${sb.port}/__sandbox`;
      const post = (route: string, body: unknown): Promise<Response> =>
        fetch(admin + route, { method: 'POST', body: JSON.stringify(body) });
      assert.equal(
        (await post('/faults', { kind: 'balance', match: { method: 'POST', path: '/custom-voices' } })).status,
        200,
      );
      assert.equal((await post('/faults', { kind: 'nonsense' })).status, 400);
      const listed = (await (await fetch(`${admin}/faults`)).json()) as { faults: { kind: string }[] };
      assert.deepEqual(
        listed.faults.map((f) => f.kind),
        ['balance'],
      );
      assert.equal((await call(sb.url, 'GET', `${V}/custom-voices`)).status, 200, 'GET does not match the fault');
      assertError(await call(sb.url, 'POST', `${V}/custom-voices`, createBody), 429, 1102);

      assert.equal((await post('/faults', { kind: 'server-error', count: -1 })).status, 200);
      assertError(await call(sb.url, 'GET', `${V}/presets-voices`), 500, 5000);
      assertError(await call(sb.url, 'GET', `${V}/presets-voices`), 500, 5000);
      assert.equal((await fetch(`${admin}/faults`, { method: 'DELETE' })).status, 200);
      assert.equal(sb.faults.size, 0);
      await create(sb, createBody);

      interface StateJson {
        tasks: { taskId: string; api: TaskJson }[];
        requestCount: number;
        requests: { method: string; status: number; fault?: string }[];
      }
      const state = (await (await fetch(`${admin}/state`)).json()) as StateJson;
      assert.equal(state.tasks.length, 1);
      assert.equal(state.tasks[0].api.task_id, state.tasks[0].taskId);
      assert.equal(state.requestCount, 5);
      assert.deepEqual(
        state.requests.map((r) => [r.method, r.status, r.fault ?? null]),
        [
          ['GET', 200, null],
          ['POST', 429, 'balance'],
          ['GET', 500, 'server-error'],
          ['GET', 500, 'server-error'],
          ['POST', 200, null],
        ],
      );
      assert.equal((await post('/reset', {})).status, 200);
      const after = (await (await fetch(`${admin}/state`)).json()) as StateJson;
      assert.equal(after.tasks.length, 0);
      assert.equal(after.requestCount, 0);
    });
  });

  describe('quirk options (uncertain points, the other way round)', () => {
    it("externalIdLookup 'none' ignores the parameter, like a server that does not know it", async () => {
      const sb = await sandbox({ externalIdLookup: 'none' });
      await create(sb, { voice_name: 'n', video_id: '123456', external_task_id: 'x-1' });
      const q = await call<TaskJson[]>(sb.url, 'GET', `${V}/custom-voices?external_task_id=x-1`);
      assert.ok(Array.isArray(q.body.data), 'the list comes back instead of one task');
      assertError(await call(sb.url, 'GET', `${V}/custom-voices/x-1?external_task_id=true`), 400, 1201);
    });

    it("the 'no-list' fault turns the list off at run time (404/1203) and leaves the other routes alone", async () => {
      const sb = await sandbox();
      const { task_id: taskId } = await create(sb, { voice_name: 'n', video_id: '123456' });
      sb.faults.push({ kind: 'no-list', count: Infinity });
      for (let i = 0; i < 2; i++) {
        assertError(await call(sb.url, 'GET', `${V}/custom-voices?pageNum=1&pageSize=30`), 404, 1203);
      }
      assert.equal((await call(sb.url, 'GET', `${V}/custom-voices/${taskId}`)).status, 200);
      assert.equal((await call(sb.url, 'GET', `${V}/presets-voices`)).status, 200);
      assert.ok((await create(sb, { voice_name: 'm', video_id: '123456' })).task_id, 'a create still works');
      assert.equal(sb.faults.size, 1, 'it lasts until cleared');
      sb.faults.clear();
      assert.equal((await call(sb.url, 'GET', `${V}/custom-voices`)).status, 200);
    });

    it('listEndpoint false makes the list route 404 like some proxies; maxPageSize 1000 widens paging', async () => {
      const noList = await sandbox({ listEndpoint: false });
      assertError(await call(noList.url, 'GET', `${V}/custom-voices?pageNum=1&pageSize=30`), 404, 1203);
      const wide = await sandbox({ maxPageSize: 1000 });
      assert.equal((await call(wide.url, 'GET', `${V}/custom-voices?pageSize=1000`)).status, 200);
      assertError(await call(wide.url, 'GET', `${V}/custom-voices?pageSize=1001`), 400, 1201);
    });
  });

  describe('lifecycle of the sandbox itself', () => {
    it('close() resolves promptly with tasks, downloads and slow requests in flight', async () => {
      const sb = await startSandbox({ processingDelayMs: 60_000 });
      await create(sb, { voice_name: 'a', voice_url: `${fx.base}/hang` });
      await create(sb, { voice_name: 'b', video_id: '123456', callback_url: `${fx.base}/callback/close` });
      sb.faults.push({ kind: 'slow', delayMs: 60_000 });
      const pending = call(sb.url, 'GET', `${V}/presets-voices`).catch((err: unknown) => err);
      await sleep(50);
      const started = Date.now();
      await sb.close();
      assert.ok(Date.now() - started < 2000);
      assert.ok((await pending) instanceof Error);
      await sb.close(); // idempotent
    });

    it('CLI prints the listening line, serves, and exits 0 on SIGTERM', async () => {
      const cli = path.resolve(__dirname, '../../tools/sandbox/cli.js');
      const child = spawn(
        process.execPath,
        [cli, '--port', '0', '--prefix', 'kling', '--api-key', 'k1', '--delay-ms', '50'],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (c: Buffer) => {
            out += c.toString('utf8');
            if (out.includes('\n')) {
              resolve(out.split('\n')[0]);
            }
          });
          child.once('exit', (code) => reject(new Error(`cli exited early with ${String(code)}`)));
        });
        const m = /^Kling sandbox listening on (http:\/\/127\.0\.0\.1:\d+\/kling)$/.exec(line);
        assert.ok(m, line);
        const r = await call(m[1], 'GET', `${V}/presets-voices`, undefined, { Authorization: 'Bearer k1' });
        assert.equal(r.status, 200);
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill('SIGTERM');
        assert.equal(await exited, 0);
      } finally {
        if (child.exitCode === null) {
          child.kill('SIGKILL');
        }
      }
    });
  });
});
