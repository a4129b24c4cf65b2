import * as assert from 'assert';
import * as http from 'http';
import type { AddressInfo } from 'net';
import fetch from 'node-fetch';
import { FetchLike, KlingClient, KlingClientOptions, KlingError } from '../../../src/kling';
import { Sandbox, startSandbox } from '../../../tools/sandbox';
import { sineWav } from '../../../tools/sandbox/wav';

const KEY = 'unit-test-key-6d1f0c';

class MemoryLog {
  lines: string[] = [];
  info = (m: string) => this.lines.push(`info ${m}`);
  warn = (m: string) => this.lines.push(`warn ${m}`);
  error = (m: string) => this.lines.push(`error ${m}`);
  debug = (m: string) => this.lines.push(`debug ${m}`);
}

async function rejection(p: Promise<unknown>): Promise<KlingError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof KlingError, `expected KlingError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

/** A throwaway HTTP server on loopback, for server behaviours the sandbox does not imitate. */
async function listen(
  handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

describe('KlingClient against the sandbox (real HTTP on loopback)', function () {
  this.timeout(20000);
  let sandbox: Sandbox;
  let files: http.Server;
  let filesUrl: string;
  let log: MemoryLog;

  const client = (over: Partial<KlingClientOptions> = {}) =>
    new KlingClient({
      baseUrl: sandbox.url,
      getApiKey: () => KEY,
      fetch: fetch as unknown as FetchLike,
      timeoutMs: 5000,
      retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 40 },
      logger: log,
      ...over,
    });
  const creates = () =>
    sandbox.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/custom-voices')).length;

  before(async () => {
    const wav = sineWav(8);
    files = http.createServer((req, res) => {
      if (req.url === '/sample.wav') {
        res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': wav.length });
        res.end(wav);
      } else if (req.url === '/short.wav') {
        res.writeHead(200, { 'content-type': 'audio/wav' });
        res.end(sineWav(2));
      } else {
        res.writeHead(404);
        res.end('missing');
      }
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    sandbox = await startSandbox({ apiKey: KEY, processingDelayMs: 300 });
  });
  after(async () => {
    await sandbox.close();
    await new Promise((r) => files.close(r));
  });
  beforeEach(() => {
    sandbox.reset();
    log = new MemoryLog();
  });

  it('creates from a URL, follows the task to succeed, and returns string ids', async () => {
    const c = client();
    const submitted = await c.createVoice({ voiceName: 'Narrator A', voiceUrl: `${filesUrl}/sample.wav` });
    assert.strictEqual(submitted.status, 'submitted');
    assert.match(submitted.taskId, /^\d{16,}$/);
    assert.match(submitted.externalTaskId ?? '', /^vsc-[0-9a-f]{32}$/, 'an external id is always sent');
    const seen: string[] = [];
    const done = await c.waitForTask(submitted.taskId, { intervalMs: 50, onUpdate: (t) => seen.push(t.status) });
    assert.strictEqual(done.status, 'succeed');
    assert.strictEqual(done.voices.length, 1);
    assert.match(done.voices[0].voiceId, /^\d{16,}$/);
    assert.strictEqual(done.voices[0].voiceName, 'Narrator A');
    assert.ok(done.voices[0].trialUrl?.startsWith('http://127.0.0.1'));
    assert.strictEqual(seen[seen.length - 1], 'succeed');
    const body = sandbox.state.requests[0].body as Record<string, string>;
    assert.deepStrictEqual(
      Object.keys(body).sort(),
      ['external_task_id', 'voice_name', 'voice_url'],
      'video_id is left out',
    );
    assert.strictEqual(sandbox.state.requests[0].headers.authorization, `Bearer ${KEY}`);
    assert.strictEqual(sandbox.state.requests[0].headers['content-type'], 'application/json');
    assert.ok(
      log.lines.some((l) => /POST \/v1\/general\/custom-voices → 200 in \d+ ms request_id=\S+ task_id=\d+/.test(l)),
      log.lines.join('\n'),
    );
    assert.ok(!log.lines.join('\n').includes(KEY), 'the key never reaches the log');
  });

  it('creates from an earlier video id', async () => {
    const c = client();
    const t = await c.createVoice({ voiceName: 'From video', videoId: '8830112233' });
    const done = await c.waitForTask(t.taskId, { intervalMs: 50 });
    assert.strictEqual(done.status, 'succeed');
    assert.strictEqual((sandbox.state.requests[0].body as Record<string, string>).video_id, '8830112233');
  });

  it('reports a failed task with the reason the service gave', async () => {
    const c = client();
    const short = await c.createVoice({ voiceName: 'Too short', voiceUrl: `${filesUrl}/short.wav` });
    const done = await c.waitForTask(short.taskId, { intervalMs: 50 });
    assert.strictEqual(done.status, 'failed');
    assert.match(done.statusMessage ?? '', /5-30|5–30|duration/);
    // The answer that said so (Kling's code 0): its request id and status, for Copy Diagnostics.
    const polls = sandbox.state.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/${short.taskId}`));
    assert.ok(polls.length > 0);
    assert.strictEqual(done.requestId, polls[polls.length - 1].requestId);
    assert.match(done.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.strictEqual(done.httpStatus, 200);
    const missing = await c.createVoice({ voiceName: 'Missing', voiceUrl: `${filesUrl}/nope.wav` });
    const done2 = await c.waitForTask(missing.taskId, { intervalMs: 50 });
    assert.strictEqual(done2.status, 'failed');
    assert.match(done2.statusMessage ?? '', /404/);
  });

  it('sends nothing for invalid input', async () => {
    const c = client();
    for (const bad of [
      { voiceName: 'x'.repeat(21), videoId: '123456' },
      { voiceName: 'A' },
      { voiceName: 'A', voiceUrl: 'ftp://x/a.wav' },
      { voiceName: 'A', voiceUrl: `${filesUrl}/a.wav`, videoId: '123456' },
      { voiceName: 'A', videoId: '123456', callbackUrl: 'nope' },
    ]) {
      const e = await rejection(c.createVoice(bad));
      assert.strictEqual(e.kind, 'invalidInput');
    }
    assert.strictEqual(sandbox.state.requests.length, 0);
  });

  it('retries a create on 1303 and creates exactly one task', async () => {
    sandbox.faults.push({ kind: 'concurrency', match: { method: 'POST', path: '/custom-voices' }, count: 2 });
    const t = await client().createVoice({ voiceName: 'Busy', videoId: '123456' });
    assert.ok(t.taskId);
    assert.strictEqual(creates(), 3);
    assert.strictEqual(sandbox.state.tasks.size, 1);
  });

  it('never retries 1102 (balance) or 1304 (IP whitelist), though they are 429s', async () => {
    for (const kind of ['balance', 'ip-whitelist'] as const) {
      sandbox.reset();
      sandbox.faults.push({ kind, count: 5 });
      const e = await rejection(client().createVoice({ voiceName: 'Broke', videoId: '123456' }));
      assert.strictEqual(e.retryable, false);
      assert.strictEqual(sandbox.state.requests.length, 1, kind);
      sandbox.faults.clear();
      sandbox.faults.push({ kind, count: 5 });
      await rejection(client().getTask('123'));
      assert.strictEqual(sandbox.state.requests.length, 2, `${kind}: a read is not retried either`);
    }
  });

  it('after a reset on a create that was recorded, finds the task instead of creating twice', async () => {
    sandbox.faults.push({ kind: 'reset-after-record', match: { method: 'POST', path: '/custom-voices' } });
    const t = await client().createVoice({ voiceName: 'Once', videoId: '123456' });
    assert.strictEqual(sandbox.state.tasks.size, 1);
    assert.strictEqual(t.taskId, [...sandbox.state.tasks.keys()][0]);
    assert.strictEqual(creates(), 1);
  });

  it('after a 5xx on a create that was recorded, finds the task instead of creating twice', async () => {
    sandbox.faults.push({ kind: 'timeout-after-record', match: { method: 'POST', path: '/custom-voices' } });
    const t = await client().createVoice({ voiceName: 'Once', videoId: '123456', externalTaskId: 'my-ext-1' });
    assert.strictEqual(t.externalTaskId, 'my-ext-1');
    assert.strictEqual(sandbox.state.tasks.size, 1);
    assert.strictEqual(creates(), 1);
  });

  it('after a request timeout on a create that was recorded, finds the task', async () => {
    sandbox.faults.push({
      kind: 'timeout-after-record',
      delayMs: 1500,
      match: { method: 'POST', path: '/custom-voices' },
    });
    const t = await client({ timeoutMs: 400 }).createVoice({ voiceName: 'Slow', videoId: '123456' });
    assert.ok(t.taskId);
    assert.strictEqual(sandbox.state.tasks.size, 1);
    assert.strictEqual(creates(), 1);
  });

  it('after a reset that created nothing, looks first, then creates once', async () => {
    sandbox.faults.push({ kind: 'reset', match: { method: 'POST', path: '/custom-voices' } });
    await client().createVoice({ voiceName: 'Retry', videoId: '123456' });
    assert.strictEqual(sandbox.state.tasks.size, 1);
    assert.strictEqual(creates(), 2);
    const lookups = sandbox.state.requests.filter((r) => r.method === 'GET');
    assert.ok(lookups.length >= 1, 'looked the task up before creating again');
    assert.ok(sandbox.state.requests.indexOf(lookups[0]) < sandbox.state.requests.length - 1);
  });

  it('finds the task by scanning the list when the query lookup is not supported', async () => {
    const sb = await startSandbox({ apiKey: KEY, processingDelayMs: 100, externalIdLookup: 'none' });
    try {
      sb.faults.push({ kind: 'reset-after-record', match: { method: 'POST', path: '/custom-voices' } });
      const c = new KlingClient({
        baseUrl: sb.url,
        getApiKey: () => KEY,
        fetch: fetch as unknown as FetchLike,
        retry: { baseDelayMs: 5, maxDelayMs: 10 },
      });
      await c.createVoice({ voiceName: 'Scan', videoId: '123456' });
      assert.strictEqual(sb.state.tasks.size, 1);
    } finally {
      await sb.close();
    }
  });

  it('refuses to create again when the lookup itself is impossible', async () => {
    sandbox.faults.push({ kind: 'reset-after-record', match: { method: 'POST', path: '/custom-voices' } });
    sandbox.faults.push({ kind: 'reset', match: { method: 'GET' }, count: 50 });
    const e = await rejection(
      client({ retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } }).createVoice({
        voiceName: 'Unsure',
        videoId: '123456',
      }),
    );
    assert.strictEqual(e.kind, 'ambiguous');
    assert.match(e.message, /paying twice/);
    assert.strictEqual(creates(), 1);
    assert.strictEqual(sandbox.state.tasks.size, 1);
  });

  const lookups = () =>
    sandbox.state.requests.filter((r) => r.method === 'GET' && r.query.external_task_id !== undefined).length;
  const postedExternalIds = () =>
    sandbox.state.requests
      .filter((r) => r.method === 'POST' && r.path.endsWith('/custom-voices'))
      .map((r) => (r.body as Record<string, string>).external_task_id);

  function assertAmbiguous(e: KlingError, externalTaskId: string): void {
    assert.strictEqual(e.kind, 'ambiguous', e.message);
    assert.strictEqual(e.externalTaskId, externalTaskId);
    assert.match(e.message, /may have been accepted/);
    assert.ok(e.message.includes(`external task id ${externalTaskId}`), e.message);
    assert.match(e.message, /My Voices/);
    assert.match(e.message, /Check Task/);
    assert.match(e.message, /paying twice/);
    assert.match(e.message, /create the voice again only if it is not there/);
  }

  for (const [fault, what] of [
    ['echo', 'a 200 that only echoes the create request'],
    ['no-data', 'a 200 with code 0 and no data'],
    ['non-json', 'a 200 that is not JSON'],
  ] as const) {
    it(`${what}: looks the task up once, never sends the create again, and says so`, async () => {
      sandbox.faults.push({ kind: fault, match: { method: 'POST', path: '/custom-voices' }, count: 10 });
      const e = await rejection(
        client().createVoice({ voiceName: 'Unreadable', videoId: '123456', externalTaskId: `ext-${fault}` }),
      );
      assertAmbiguous(e, `ext-${fault}`);
      assert.strictEqual(e.status, undefined);
      assert.strictEqual((e as { cause?: KlingError }).cause?.status, 200);
      assert.strictEqual(creates(), 1, 'one POST, though maxAttempts is 4');
      assert.strictEqual(lookups(), 1, 'one lookup');
      assert.strictEqual(sandbox.state.tasks.size, 0);
    });
  }

  it('a proxy that forwarded the create but echoed the request: the one lookup finds the task', async () => {
    sandbox.faults.push({ kind: 'echo', record: true, match: { method: 'POST', path: '/custom-voices' } });
    const t = await client().createVoice({ voiceName: 'Echo', videoId: '123456', externalTaskId: 'ext-echo-found' });
    assert.strictEqual(t.externalTaskId, 'ext-echo-found');
    assert.strictEqual(t.taskId, [...sandbox.state.tasks.keys()][0]);
    assert.strictEqual(creates(), 1);
    assert.strictEqual(lookups(), 1);
  });

  for (const [fault, what] of [
    ['reset', 'a dropped connection'],
    ['server-error', 'HTTP 500 code 5000'],
    ['gateway', 'a 502 gateway page'],
  ] as const) {
    it(`${what} on every create that created nothing: one repeat with the same external id, then ambiguous`, async () => {
      sandbox.faults.push({ kind: fault, match: { method: 'POST', path: '/custom-voices' }, count: 10 });
      const e = await rejection(client().createVoice({ voiceName: 'No answer', videoId: '123456' }));
      const ids = postedExternalIds();
      assert.strictEqual(ids.length, 2, 'the first POST and one repeat, though maxAttempts is 4');
      assert.strictEqual(ids[0], ids[1], 'the repeat carries the same external_task_id');
      assertAmbiguous(e, ids[0]);
      assert.match(e.message, /got no answer/);
      assert.strictEqual(lookups(), 2, 'looked up after each unanswered POST');
      const firstLookup = sandbox.state.requests.findIndex((r) => r.query.external_task_id !== undefined);
      const secondPost = sandbox.state.requests.findIndex((r, i) => i > 0 && r.method === 'POST');
      assert.ok(firstLookup < secondPost, 'looked before creating again');
    });
  }

  it('no answer, then 1303 on the repeat until maxAttempts: looks once more and ends ambiguous, not "try again"', async () => {
    sandbox.faults.push({ kind: 'reset', match: { method: 'POST', path: '/custom-voices' } });
    sandbox.faults.push({ kind: 'concurrency', match: { method: 'POST', path: '/custom-voices' }, count: 10 });
    const e = await rejection(
      client({ retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 } }).createVoice({
        voiceName: 'Busy',
        videoId: '123456',
      }),
    );
    assert.strictEqual(e.kind, 'ambiguous');
    assert.strictEqual(creates(), 3);
    assert.strictEqual(lookups(), 2);
  });

  it('takes only an exact external id match from the lookup (not a task without one)', async () => {
    let posts = 0;
    const server = await listen((req, _body, res) => {
      if (req.method === 'POST') {
        posts++;
        req.socket.destroy(); // no answer, nothing created
      } else if (req.url?.includes('external_task_id=')) {
        // A server that answers the query form with some task that carries no external id.
        sendJson(res, 200, {
          code: 0,
          message: 'SUCCEED',
          data: { task_id: '930801301486305328', task_status: 'succeed' },
        });
      } else {
        sendJson(res, 200, {
          code: 0,
          message: 'SUCCEED',
          data: [
            { task_id: '930801301486305329', task_status: 'succeed', task_info: { external_task_id: 'someone-else' } },
          ],
        });
      }
    });
    try {
      const e = await rejection(
        client({ baseUrl: server.url }).createVoice({
          voiceName: 'Mine',
          videoId: '123456',
          externalTaskId: 'ext-exact',
        }),
      );
      assert.strictEqual(
        e.kind,
        'ambiguous',
        'neither the task without an external id nor the other one is taken as ours',
      );
      assert.strictEqual(posts, 2);
    } finally {
      await server.close();
    }
  });

  it('"external_task_id already exists" on the repeat: the first POST was accepted; never reported as a bad input', async () => {
    let posts = 0;
    const server = await listen((req, _body, res) => {
      if (req.method === 'POST') {
        posts++;
        if (posts === 1) {
          req.socket.destroy(); // accepted, but the answer is lost
        } else {
          sendJson(res, 400, { code: 1201, message: 'external_task_id already exists', request_id: 'r' });
        }
      } else if (req.url?.includes('external_task_id=')) {
        sendJson(res, 400, { code: 1201, message: 'task not found', request_id: 'r' }); // the index lags behind
      } else {
        sendJson(res, 200, { code: 0, message: 'SUCCEED', data: [] });
      }
    });
    try {
      const e = await rejection(
        client({ baseUrl: server.url }).createVoice({
          voiceName: 'Lagging',
          videoId: '123456',
          externalTaskId: 'ext-lag',
        }),
      );
      assert.strictEqual(e.kind, 'ambiguous');
      assert.match(e.message, /already exists/);
      assert.ok(e.message.includes('ext-lag'));
      assert.strictEqual(posts, 2);
    } finally {
      await server.close();
    }
  });

  it('retries reads on 503, a 502 HTML page and a reset, then succeeds', async () => {
    const t = await client().createVoice({ voiceName: 'Read', videoId: '123456' });
    sandbox.faults.push({ kind: 'unavailable', match: { method: 'GET' } });
    sandbox.faults.push({ kind: 'gateway', match: { method: 'GET' } });
    sandbox.faults.push({ kind: 'reset', match: { method: 'GET' } });
    const got = await client().getTask(t.taskId);
    assert.strictEqual(got.taskId, t.taskId);
    assert.strictEqual(sandbox.state.requests.filter((r) => r.method === 'GET').length, 4);
  });

  it('gives up reads after maxAttempts with the last error', async () => {
    sandbox.faults.push({ kind: 'server-error', count: 10 });
    const e = await rejection(client({ retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 } }).getTask('1'));
    assert.strictEqual(e.code, 5000);
    assert.strictEqual(sandbox.state.requests.length, 3);
  });

  it('times out a slow request with a message naming the setting', async () => {
    sandbox.faults.push({ kind: 'slow', delayMs: 1500, count: 5 });
    const e = await rejection(client({ timeoutMs: 200, retry: { maxAttempts: 1 } }).getTask('1'));
    assert.strictEqual(e.kind, 'timeout');
    assert.match(e.message, /requestTimeoutSeconds/);
  });

  it('reads a non-JSON 200, an echoed request and a nested proxy error as clear errors', async () => {
    sandbox.faults.push({ kind: 'non-json', match: { method: 'GET' } });
    assert.strictEqual((await rejection(client().getTask('1'))).kind, 'badResponse');
    sandbox.faults.push({ kind: 'nested-error' });
    const nested = await rejection(client().deleteVoice('42'));
    assert.strictEqual(nested.code, 1201);
    sandbox.faults.push({ kind: 'html', match: { method: 'GET' } });
    assert.match((await rejection(client().listPresetVoices())).message, /HTML page/);
  });

  it('follows a new task on the schedule: no check right after the create, then one every unit', async () => {
    const c = client();
    const t = await c.createVoice({ voiceName: 'Schedule', videoId: '123456' });
    const createdAt = Date.now();
    const done = await c.waitForTask(t.taskId, { intervalMs: 100, createdAt });
    assert.strictEqual(done.status, 'succeed');
    const gets = sandbox.state.requests.filter((r) => r.method === 'GET').map((r) => r.time - createdAt);
    // The sandbox's task takes 300 ms; the first check comes 5 units (500 ms) after the create and sees it done.
    assert.strictEqual(gets.length, 1, `GETs at ${gets.join(', ')} ms`);
    assert.ok(gets[0] >= 480, `first GET ${gets[0]} ms after the create`);
  });

  it('checks at once a task that may have ended meanwhile (checkFirst), then on the schedule', async () => {
    const sb = await startSandbox({ apiKey: KEY, processingDelayMs: 1500 });
    try {
      const c = new KlingClient({ baseUrl: sb.url, getApiKey: () => KEY, fetch: fetch as unknown as FetchLike });
      const t = await c.createVoice({ voiceName: 'Resumed', videoId: '123456' });
      const createdAt = Date.now();
      const done = await c.waitForTask(t.taskId, { intervalMs: 100, createdAt, checkFirst: true });
      assert.strictEqual(done.status, 'succeed');
      const gets = sb.state.requests.filter((r) => r.method === 'GET').map((r) => r.time - createdAt);
      assert.ok(gets[0] < 200, `first GET ${gets[0]} ms after the create`);
      assert.ok(gets[1] >= 480, `second GET ${gets[1]} ms: the schedule's first check`);
      // Every unit (100 ms) until the task ends at 1.5 s: about 11 checks in all, not a busy loop.
      assert.ok(gets.length >= 8 && gets.length <= 14, `${gets.length} GETs: ${gets.join(', ')}`);
    } finally {
      await sb.close();
    }
  });

  it('backs off instead of failing when checks are rate limited (429/1302)', async () => {
    const c = client();
    const t = await c.createVoice({ voiceName: 'Rate limited', videoId: '123456' });
    // More 1302 answers than one getTask retries: the first check fails as a whole.
    sandbox.faults.push({ kind: 'rate-limit', match: { method: 'GET' }, count: 5 });
    const started = Date.now();
    // 12 units old: checked every unit (50 ms) when nothing is wrong.
    const done = await c.waitForTask(t.taskId, { intervalMs: 50, createdAt: started - 600, checkFirst: true });
    assert.strictEqual(done.status, 'succeed');
    assert.ok(
      log.lines.some((l) => /warn task \d+: rate limited; checking it less often/.test(l)),
      log.lines.join('\n'),
    );
    const gets = sandbox.state.requests.filter((r) => r.method === 'GET');
    assert.strictEqual(gets.filter((r) => r.status === 429).length, 5);
    // The check after the failed one waited twice the unit, not one unit.
    assert.ok(gets[4].time - gets[3].time >= 95, `waited ${gets[4].time - gets[3].time} ms`);
    assert.ok(Date.now() - started < 5000);
  });

  it('cancels polling and the request in flight through an AbortSignal', async () => {
    const sb = await startSandbox({ apiKey: KEY, processingDelayMs: 60_000 });
    try {
      const c = new KlingClient({ baseUrl: sb.url, getApiKey: () => KEY, fetch: fetch as unknown as FetchLike });
      const t = await c.createVoice({ voiceName: 'Cancel me', videoId: '123456' });
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 300);
      const e = await rejection(c.waitForTask(t.taskId, { intervalMs: 100, signal: controller.signal }));
      assert.strictEqual(e.kind, 'cancelled');
      assert.ok(Date.now() - started < 2000);
      sb.faults.push({ kind: 'slow', delayMs: 3000 });
      const c2 = new AbortController();
      setTimeout(() => c2.abort(), 100);
      const started2 = Date.now();
      assert.strictEqual((await rejection(c.getTask(t.taskId, c2.signal))).kind, 'cancelled');
      assert.ok(Date.now() - started2 < 1500, 'the socket was abandoned, not waited for');
    } finally {
      await sb.close();
    }
  });

  it('stops following a task after the task timeout, saying how to check it later', async () => {
    const sb = await startSandbox({ apiKey: KEY, processingDelayMs: 60_000 });
    try {
      const c = new KlingClient({ baseUrl: sb.url, getApiKey: () => KEY, fetch: fetch as unknown as FetchLike });
      const t = await c.createVoice({ voiceName: 'Forever', videoId: '123456' });
      const e = await rejection(c.waitForTask(t.taskId, { intervalMs: 50, timeoutMs: 400 }));
      assert.strictEqual(e.kind, 'taskTimeout');
      assert.strictEqual(e.taskId, t.taskId);
      assert.match(e.message, /Check Task/);
    } finally {
      await sb.close();
    }
  });

  it('lists every page and stops on a short page', async () => {
    const c = client({ pageSize: 2 });
    for (let i = 0; i < 5; i++) {
      await c.createVoice({ voiceName: `V${i}`, videoId: `12345${i}` });
    }
    sandbox.state.requests.length = 0;
    const all = await c.listCustomVoices();
    assert.strictEqual(all.length, 5);
    assert.strictEqual(new Set(all.map((t) => t.taskId)).size, 5);
    const pages = sandbox.state.requests.map((r) => r.query.pageNum);
    assert.deepStrictEqual(pages, ['1', '2', '3']);
    assert.ok(sandbox.state.requests.every((r) => r.query.pageSize === '2'));
  });

  it('lists a server that ignores pageNum with two requests and no duplicates', async () => {
    const sb = await startSandbox({ apiKey: KEY, processingDelayMs: 60_000, ignorePageNum: true });
    try {
      const c = new KlingClient({
        baseUrl: sb.url,
        getApiKey: () => KEY,
        fetch: fetch as unknown as FetchLike,
        logger: log,
      });
      for (let i = 0; i < 5; i++) {
        await c.createVoice({ voiceName: `V${i}`, videoId: `12345${i}` });
      }
      sb.state.requests.length = 0;
      const all = await c.listCustomVoices();
      assert.strictEqual(all.length, 5);
      assert.strictEqual(new Set(all.map((t) => t.taskId)).size, 5);
      assert.deepStrictEqual(
        sb.state.requests.map((r) => r.query.pageNum),
        ['1', '2'],
      );
      const presets = await c.listPresetVoices();
      assert.strictEqual(presets.length, sb.state.presets.length);
      assert.strictEqual(sb.state.requests.length, 4, 'presets too: two requests');
      // Full pages that repeat: still two requests.
      sb.state.requests.length = 0;
      const paged = new KlingClient({
        baseUrl: sb.url,
        getApiKey: () => KEY,
        fetch: fetch as unknown as FetchLike,
        logger: log,
        pageSize: 2,
      });
      assert.strictEqual((await paged.listCustomVoices()).length, 2);
      assert.strictEqual(sb.state.requests.length, 2);
      assert.ok(
        log.lines.some((l) => /ignore pageNum/.test(l)),
        log.lines.join('\n'),
      );
    } finally {
      await sb.close();
    }
  });

  describe('a server that caps pageSize at 100, with 250 tasks', function () {
    let sb: Sandbox;
    let c: KlingClient;
    before(async () => {
      sb = await startSandbox({ apiKey: KEY, processingDelayMs: 60_000, pageSizeCap: 100, externalIdLookup: 'none' });
      c = new KlingClient({
        baseUrl: sb.url,
        getApiKey: () => KEY,
        fetch: fetch as unknown as FetchLike,
        retry: { baseDelayMs: 5, maxDelayMs: 10 },
      });
      for (let i = 0; i < 250; i++) {
        await c.createVoice({ voiceName: `V${i}`, videoId: `12345${i}`, externalTaskId: `capped-${i}` });
      }
    });
    after(() => sb.close());
    beforeEach(() => {
      sb.state.requests.length = 0;
      sb.faults.clear();
    });

    it('lists all 250 (the short first page is not the end)', async () => {
      const all = await c.listCustomVoices();
      assert.strictEqual(all.length, 250);
      assert.strictEqual(new Set(all.map((t) => t.taskId)).size, 250);
      assert.deepStrictEqual(
        sb.state.requests.map((r) => [r.query.pageNum, r.query.pageSize]),
        [
          ['1', '500'],
          ['2', '500'],
          ['3', '500'],
        ],
      );
    });

    it('finds a task on page 3 by its external id, and stops reading there', async () => {
      const t = await c.findTaskByExternalId('capped-0'); // the oldest: the list is newest first
      assert.strictEqual(t?.externalTaskId, 'capped-0');
      assert.strictEqual(sb.state.requests.filter((r) => r.query.pageNum !== undefined).length, 3);
      assert.strictEqual(await c.findTaskByExternalId('capped-none'), undefined);
    });

    it('after a dropped create, the lookup finds the task even when it is on page 3', async () => {
      // Stands in for a fresh task listed on page 3 (a list sorted oldest first would put it there): the dropped
      // create reuses the external id of the oldest task, and only a lookup that reads page 3 can find it.
      sb.faults.push({ kind: 'reset', match: { method: 'POST' } });
      const t = await c.createVoice({ voiceName: 'Again', videoId: '123456', externalTaskId: 'capped-1' });
      assert.strictEqual(t.externalTaskId, 'capped-1');
      assert.strictEqual(sb.state.requests.filter((r) => r.method === 'POST').length, 1);
    });
  });

  it('stops a list that never ends after 200 pages, says so, and a lookup in it is not a "not found"', async () => {
    let requests = 0;
    const server = await listen((req, _body, res) => {
      requests++;
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('pageNum') ?? '1');
      sendJson(res, 200, {
        code: 0,
        message: 'SUCCEED',
        data: [{ task_id: `${1000 + page}`, task_status: 'succeed' }],
      });
    });
    try {
      const c = client({ baseUrl: server.url });
      const all = await c.listCustomVoices();
      assert.strictEqual(all.length, 200);
      assert.strictEqual(requests, 200);
      assert.ok(
        log.lines.some((l) => /stopped after 200 pages/.test(l)),
        log.lines.join('\n'),
      );
      requests = 0;
      const e = await rejection(c.findTaskByExternalId('not-there'));
      assert.match(e.message, /200 pages/);
    } finally {
      await server.close();
    }
  });

  it('refuses an answer larger than 5 MB with a clear error, without retrying it', async () => {
    sandbox.faults.push({ kind: 'huge', match: { method: 'GET' }, count: 5 });
    const e = await rejection(client().listCustomVoices());
    assert.strictEqual(e.kind, 'badResponse');
    assert.strictEqual(e.status, 200);
    assert.match(e.message, /larger than 5 MB/);
    assert.strictEqual(sandbox.state.requests.length, 1);
    // The same answer to a create: it may have worked, so nothing is sent again.
    sandbox.faults.clear();
    sandbox.faults.push({ kind: 'huge', match: { method: 'POST' }, record: true });
    const t = await client().createVoice({ voiceName: 'Huge', videoId: '123456' });
    assert.strictEqual(t.taskId, [...sandbox.state.tasks.keys()][0]);
    assert.strictEqual(creates(), 1);
  });

  it('does not follow a redirect: the key never reaches the other address, and a create is not reported as done', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const other = await listen((req, _body, res) => {
      seen.push(req.headers);
      sendJson(res, 200, { code: 0, message: 'SUCCEED', data: { task_id: '1', task_status: 'processing' } });
    });
    const otherHost = new URL(other.url).host;
    try {
      sandbox.faults.push({ kind: 'redirect', location: `${other.url}/steal`, count: 10 });
      for (const call of [() => client().getTask('123'), () => client().listCustomVoices()]) {
        const e = await rejection(call());
        assert.strictEqual(e.kind, 'http');
        assert.strictEqual(e.status, 302);
        assert.ok(e.message.includes(otherHost), e.message);
        assert.match(e.message, /final address/);
        assert.ok(!/steal|pageNum|\?/.test(e.message), `only the host is named: ${e.message}`);
      }
      const e = await rejection(client().createVoice({ voiceName: 'Moved', videoId: '123456' }));
      assert.strictEqual(e.kind, 'http');
      assert.strictEqual(e.status, 302);
      assert.strictEqual(creates(), 1, 'not sent again');
      assert.strictEqual(seen.length, 0, 'nothing, and so no Authorization header, reached the other port');
    } finally {
      await other.close();
    }
  });

  it('lists preset voices owned by kling', async () => {
    const presets = await client().listPresetVoices();
    assert.ok(presets.length >= 3);
    assert.ok(presets.every((v) => v.ownedBy === 'kling' && /^\d+$/.test(v.voiceId)));
  });

  it('deletes a voice, which then leaves the list; an unknown voice is a clear error', async () => {
    const c = client();
    const t = await c.createVoice({ voiceName: 'Delete me', videoId: '123456' });
    const done = await c.waitForTask(t.taskId, { intervalMs: 50 });
    const voiceId = done.voices[0].voiceId;
    await c.deleteVoice(voiceId);
    const after = await c.listCustomVoices();
    assert.ok(!after.some((x) => x.voices.some((v) => v.voiceId === voiceId)));
    const e = await rejection(c.deleteVoice('999999999999999999'));
    assert.strictEqual(e.code, 1201);
    assert.match(e.message, /Voice id not found/);
  });

  describe('never lets the key into an error, even when the server echoes it (a 40-character key)', function () {
    const LONG_KEY = 'sk-SECRET-KEY-1234567890abcdefghijklmnop';
    let sb: Sandbox;
    before(async () => {
      assert.strictEqual(LONG_KEY.length, 40);
      sb = await startSandbox({ apiKey: LONG_KEY, processingDelayMs: 100 });
    });
    after(() => sb.close());
    beforeEach(() => sb.reset());

    /** Every string reachable from the error's message and enumerable properties (its cause included). */
    function texts(e: unknown, depth = 0): string[] {
      if (typeof e === 'string') {
        return [e];
      }
      if (typeof e !== 'object' || e === null || depth > 3) {
        return [];
      }
      const out: string[] = e instanceof Error ? [e.message, e.stack ?? ''] : [];
      for (const [k, v] of Object.entries(e)) {
        out.push(k, ...texts(v, depth + 1));
      }
      const cause = (e as { cause?: unknown }).cause;
      return cause === undefined ? out : [...out, ...texts(cause, depth + 1)];
    }
    function assertNoFragment(where: string[], what: string): void {
      const all = where.join('\n');
      for (let i = 0; i + 6 <= LONG_KEY.length; i++) {
        assert.ok(!all.includes(LONG_KEY.slice(i, i + 6)), `${what} holds "${LONG_KEY.slice(i, i + 6)}": ${all}`);
      }
    }

    for (const fault of ['echo-headers', 'echo-headers-json'] as const) {
      it(`${fault}: not in message, serverMessage, any property or the log`, async () => {
        const memory = new MemoryLog();
        const c = new KlingClient({
          baseUrl: sb.url,
          getApiKey: () => LONG_KEY,
          fetch: fetch as unknown as FetchLike,
          logger: memory,
        });
        sb.faults.push({ kind: fault, count: 10 });
        const e = await rejection(c.getTask('123'));
        assert.strictEqual(e.status, 400);
        assertNoFragment(texts(e), `the ${e.kind} error`);
        assertNoFragment(memory.lines, 'the log');
        assert.match(e.message, /Bearer \*\*\*|authorization=\*\*\*/i, e.message);
        if (fault === 'echo-headers-json') {
          assert.strictEqual(e.code, 1201);
          assert.ok(e.serverMessage?.includes('is not known'), e.serverMessage);
        } else {
          assert.match(e.message, /not JSON/);
        }
        // The same through a create (the error is thrown as is: a 400 created nothing).
        const created = await rejection(c.createVoice({ voiceName: 'Echo', videoId: '123456' }));
        assertNoFragment(texts(created), 'the create error');
      });
    }

    it('a successful answer that echoes the key (status message, voice name, trial URL, ids): not in the task, the lists or the log', async () => {
      const UPLOAD_SECRET = 'upload-secret-Zq9Xw8Vv7Uu6';
      const echo = (taskId: string) => ({
        task_id: taskId,
        task_status: 'succeed',
        task_status_msg: `quota exceeded for key ${LONG_KEY} (${LONG_KEY.slice(3, 25)}…) and ${UPLOAD_SECRET}`,
        task_info: { external_task_id: `ext-${LONG_KEY}` },
        task_result: {
          voices: [
            {
              voice_id: `v-${LONG_KEY.slice(0, 12)}`,
              voice_name: `name ${LONG_KEY}`,
              trial_url: `https://cdn.example.test/${LONG_KEY}/trial.mp3?sig=1`,
              owned_by: LONG_KEY,
            },
          ],
        },
      });
      const server = await listen((_req, _body, res) => {
        const url = _req.url ?? '';
        const data = url.includes('pageNum=2')
          ? []
          : url.includes('?')
            ? [echo('900000000000000001')]
            : echo('900000000000000001');
        // JSON escapes hide the key from a search of the raw text: it must be redacted after parsing.
        const text = JSON.stringify({ code: 0, message: LONG_KEY, request_id: `rid-${LONG_KEY}`, data }).replace(
          /sk-/g,
          'sk\\u002d',
        );
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text);
      });
      try {
        const memory = new MemoryLog();
        const c = new KlingClient({
          baseUrl: server.url,
          getApiKey: () => LONG_KEY,
          getSecrets: () => [UPLOAD_SECRET],
          fetch: fetch as unknown as FetchLike,
          logger: memory,
        });
        const got = await c.getTask('900000000000000001');
        const created = await c.createVoice({ voiceName: 'Echo', videoId: '123456' });
        const listed = await c.listCustomVoices();
        const presets = await c.listPresetVoices();
        const seen: string[] = [];
        await c.waitForTask('900000000000000001', { onUpdate: (t) => seen.push(JSON.stringify(t)) });
        const everything = [got, created, listed, presets].map((v) => JSON.stringify(v)).concat(seen);
        assertNoFragment(everything, 'the parsed answers');
        assertNoFragment(memory.lines, 'the log');
        assert.ok(!everything.join('\n').includes(UPLOAD_SECRET), 'the upload secret is cut out too');
        assert.strictEqual(got.taskId, '900000000000000001', 'ids without a secret are untouched');
        assert.strictEqual(got.voices[0].trialUrl, 'https://cdn.example.test/***/trial.mp3?sig=1');
        assert.match(got.statusMessage ?? '', /^quota exceeded for key \*\*\*/);
      } finally {
        await server.close();
      }
    });
  });

  it('explains a rejected key and a missing key without sending it anywhere else', async () => {
    const wrong = await rejection(client({ getApiKey: () => 'wrong-key-123' }).listPresetVoices());
    assert.strictEqual(wrong.status, 401);
    assert.match(wrong.message, /Set API Key/);
    const before = sandbox.state.requests.length;
    const none = await rejection(client({ getApiKey: () => undefined }).listPresetVoices());
    assert.strictEqual(none.kind, 'noApiKey');
    assert.strictEqual(sandbox.state.requests.length, before, 'no request without a key');
  });

  it('works behind a proxy-style prefix by changing only the base URL', async () => {
    const sb = await startSandbox({ apiKey: KEY, processingDelayMs: 50, pathPrefix: '/kling' });
    try {
      assert.ok(sb.url.endsWith('/kling'));
      const c = new KlingClient({ baseUrl: `${sb.url}/`, getApiKey: () => KEY, fetch: fetch as unknown as FetchLike });
      const t = await c.createVoice({ voiceName: 'Proxy', videoId: '123456' });
      assert.strictEqual((await c.waitForTask(t.taskId, { intervalMs: 30 })).status, 'succeed');
      assert.ok(sb.state.requests.every((r) => r.path.startsWith('/kling/v1/general/')));
    } finally {
      await sb.close();
    }
  });

  it('rejects a base URL that is not http(s) before sending anything', () => {
    assert.throws(() => client({ baseUrl: 'file:///etc' }), /http/);
    assert.throws(() => client({ baseUrl: 'https://user:pw@x.test' }), /credentials/);
  });

  it('refuses plain http except on loopback, where the key does not leave the machine', () => {
    for (const bad of [
      'http://api.chainhub.tech/kling',
      'http://192.168.1.20:8787',
      'http://localhost.example.com',
      'http://127.0.0.1.example.com',
      'http://[::2]:80',
    ]) {
      assert.throws(
        () => client({ baseUrl: bad }),
        (e: unknown) =>
          e instanceof KlingError &&
          e.kind === 'invalidInput' &&
          /must start with https:\/\//.test(e.message) &&
          /unencrypted/.test(e.message),
        bad,
      );
    }
    for (const good of [
      'https://api.chainhub.tech/kling/',
      'http://127.0.0.1:8787',
      'http://127.1.2.3/kling',
      'http://localhost:3000',
      'http://[::1]:9000/x',
    ]) {
      assert.strictEqual(client({ baseUrl: good }).baseUrl, good.replace(/\/+$/, ''));
    }
  });
});
