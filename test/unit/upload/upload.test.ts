import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import {
  HttpUploadProvider,
  contentDisposition,
  S3UploadProvider,
  UploadError,
  readJsonPath,
  redactText,
  redactUrl,
  s3ErrorMessage,
  safeObjectName,
  serverExcerpt,
  uploadFileName,
} from '../../../src/upload';
import { S3TestServer, startS3Server } from '../../../tools/fakes/s3server';
import { startUploadEndpoint } from '../../../tools/fakes/uploadEndpoint';

const sample = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) & 0xff));

async function get(url: string): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

function s3Provider(
  server: S3TestServer,
  overrides: Partial<ConstructorParameters<typeof S3UploadProvider>[0]> = {},
  logs: string[] = [],
) {
  return new S3UploadProvider({
    endpoint: server.endpoint,
    region: 'us-east-1',
    bucket: server.bucket,
    keyPrefix: 'kling/',
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    presignExpirySeconds: 3600,
    forcePathStyle: true,
    log: (m) => logs.push(m),
    ...overrides,
  });
}

describe('upload: S3-compatible storage (SigV4-checking server on loopback)', function () {
  this.timeout(20_000);
  let server: S3TestServer;
  before(async () => {
    server = await startS3Server();
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
  });

  it('uploads with a signed PUT and returns a presigned GET URL that serves the same bytes', async () => {
    const logs: string[] = [];
    const progress: number[] = [];
    const result = await s3Provider(server, {}, logs).upload({
      source: { kind: 'bytes', bytes: sample },
      fileName: 'My Narrator (take 2).wav',
      contentType: 'audio/wav',
      onProgress: (p) => progress.push(p.sentBytes),
    });
    const put = server.requests.find((r) => r.method === 'PUT');
    assert.ok(put);
    assert.strictEqual(put.status, 200);
    assert.match(String(put.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AKIATEST/);
    assert.match(put.url, /^\/voice-samples\/kling\/[0-9a-f-]{36}\/My_Narrator_take_2_\.wav$/);
    const u = new URL(result.url);
    assert.match(u.pathname, /\.wav$/, 'Kling reads the type from the URL path');
    assert.strictEqual(u.searchParams.get('X-Amz-Expires'), '3600');
    assert.ok(u.searchParams.get('X-Amz-Signature'));
    assert.strictEqual(result.displayUrl, `${u.origin}${u.pathname}`);
    const got = await get(result.url);
    assert.strictEqual(got.status, 200);
    assert.ok(got.body.equals(sample));
    assert.strictEqual(progress[progress.length - 1], sample.length);
    assert.ok(progress.length > 1, 'progress in chunks');
    assert.ok(
      logs.length > 0 && logs.every((l) => !/X-Amz-|Signature|secret/i.test(l) && !l.includes(server.secretAccessKey)),
      logs.join('\n'),
    );
  });

  it('the server really checks signatures: a tampered presigned URL and a wrong secret are refused', async () => {
    const result = await s3Provider(server).upload({
      source: { kind: 'bytes', bytes: sample },
      fileName: 'a.wav',
      contentType: 'audio/wav',
    });
    const u = new URL(result.url);
    const sig = u.searchParams.get('X-Amz-Signature') as string;
    u.searchParams.set('X-Amz-Signature', (sig[0] === 'a' ? 'b' : 'a') + sig.slice(1));
    assert.strictEqual((await get(u.toString())).status, 403);
    // (s3rver has no bucket policies, so an unsigned GET is not refused there; real stores keep objects private.)
    const bad = s3Provider(server, { secretAccessKey: 'not-the-secret' });
    await assert.rejects(
      bad.upload({ source: { kind: 'bytes', bytes: sample }, fileName: 'b.wav', contentType: 'audio/wav' }),
      (e: unknown) =>
        e instanceof UploadError &&
        e.options.status === 403 &&
        /SignatureDoesNotMatch/.test(e.message) &&
        /Set Upload Credentials/.test(e.message),
    );
  });

  it('streams a file from disk and deletes the object afterwards', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-upload-'));
    try {
      const file = path.join(dir, 'big.mp3');
      const big = Buffer.alloc(3 * 1024 * 1024, 0x5a);
      fs.writeFileSync(file, big);
      let last = 0;
      const provider = s3Provider(server);
      const result = await provider.upload({
        source: { kind: 'file', path: file },
        fileName: 'big.mp3',
        contentType: 'audio/mpeg',
        onProgress: (p) => (last = p.sentBytes),
      });
      assert.strictEqual(last, big.length);
      assert.strictEqual(server.objects().length > 0, true);
      const got = await get(result.url);
      assert.ok(got.body.equals(big));
      await result.cleanup?.();
      assert.strictEqual((await get(result.url)).status, 404);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an expired presigned URL is refused', async () => {
    const result = await s3Provider(server, { presignExpirySeconds: 1 }).upload({
      source: { kind: 'bytes', bytes: sample },
      fileName: 'e.wav',
      contentType: 'audio/wav',
    });
    await new Promise((r) => setTimeout(r, 2100));
    assert.strictEqual((await get(result.url)).status, 403);
  });

  it('names the missing bucket and the missing keys', async () => {
    await assert.rejects(
      s3Provider(server, { bucket: 'no-such-bucket' }).upload({
        source: { kind: 'bytes', bytes: sample },
        fileName: 'x.wav',
        contentType: 'audio/wav',
      }),
      /bucket "no-such-bucket" does not exist/,
    );
    assert.throws(() => s3Provider(server, { accessKeyId: '' }), /Set Upload Credentials/);
    assert.throws(() => s3Provider(server, { bucket: ' ' }), /klingVoice\.upload\.s3\.bucket/);
    assert.throws(() => s3Provider(server, { endpoint: 'ftp://x' }), /http/);
  });

  it('builds virtual-hosted URLs and AWS endpoints when asked', () => {
    const p = s3Provider(server, { endpoint: '', region: 'eu-west-1', forcePathStyle: false });
    assert.strictEqual(
      p.objectUrl('a/b c.wav').toString(),
      'https://voice-samples.s3.eu-west-1.amazonaws.com/a/b%20c.wav',
    );
    assert.strictEqual(p.destination, 'https://s3.eu-west-1.amazonaws.com/voice-samples');
    assert.strictEqual(safeObjectName('../../etc/pässwd .wav'), 'passwd_.wav');
  });
});

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

async function startUploadServer(
  reply: (r: Received, n: number) => { status: number; body: string } | 'hang',
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      const answer = reply(r, received.length);
      if (answer === 'hang') {
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

describe('upload: generic HTTP endpoint (loopback server)', function () {
  this.timeout(20_000);

  it('multipart POST with a Bearer token; the URL is read from a JSON path', async () => {
    const srv = await startUploadServer((r) => ({
      status: 200,
      body: JSON.stringify({
        code: 0,
        data: { files: [{ url: `/files/${r.headers['content-length']}.wav?sig=abc` }] },
      }),
    }));
    try {
      const logs: string[] = [];
      const p = new HttpUploadProvider({
        url: `${srv.url}/upload?team=1`,
        method: 'POST',
        fieldName: 'audio',
        responseUrlPath: 'data.files[0].url',
        token: 'tok-secret-123',
        log: (m) => logs.push(m),
      });
      assert.strictEqual(p.destination, `${srv.url}/upload`);
      const result = await p.upload({
        source: { kind: 'bytes', bytes: sample },
        fileName: 'voice "one".wav',
        contentType: 'audio/wav',
      });
      const r = srv.received[0];
      assert.strictEqual(r.method, 'POST');
      assert.strictEqual(r.headers.authorization, 'Bearer tok-secret-123');
      const boundary = /boundary=(.+)$/.exec(String(r.headers['content-type']))?.[1];
      assert.ok(boundary);
      const text = r.body.toString('latin1');
      assert.ok(
        text.startsWith(
          `--${boundary}\r\nContent-Disposition: form-data; name="audio"; filename="voice_one_.wav"; filename*=UTF-8''voice%20%22one%22.wav\r\nContent-Type: audio/wav\r\n\r\n`,
        ),
      );
      assert.ok(text.endsWith(`\r\n--${boundary}--\r\n`));
      const start = r.body.indexOf('\r\n\r\n') + 4;
      assert.ok(r.body.subarray(start, start + sample.length).equals(sample));
      assert.strictEqual(
        result.url,
        `${srv.url}/files/${r.body.length}.wav?sig=abc`,
        'relative URLs resolve against the endpoint',
      );
      assert.strictEqual(result.displayUrl, `${srv.url}/files/${r.body.length}.wav`);
      assert.ok(
        logs.every((l) => !l.includes('tok-secret') && !l.includes('sig=') && !l.includes('team=1')),
        logs.join('\n'),
      );
    } finally {
      await srv.close();
    }
  });

  it('PUT to a URL with {fileName}; empty response path means the PUT URL is the file URL', async () => {
    const srv = await startUploadServer(() => ({ status: 201, body: '' }));
    try {
      const p = new HttpUploadProvider({
        url: `${srv.url}/bucket/{fileName}`,
        method: 'PUT',
        fieldName: 'file',
        responseUrlPath: '',
      });
      const result = await p.upload({
        source: { kind: 'bytes', bytes: sample },
        fileName: 'a b.mp3',
        contentType: 'audio/mpeg',
      });
      assert.strictEqual(srv.received[0].url, '/bucket/a%20b.mp3');
      assert.strictEqual(srv.received[0].headers['content-type'], 'audio/mpeg');
      assert.ok(srv.received[0].body.equals(sample));
      assert.strictEqual(result.url, `${srv.url}/bucket/a%20b.mp3`);
      assert.strictEqual(srv.received[0].headers.authorization, undefined, 'no token, no header');
    } finally {
      await srv.close();
    }
  });

  it('a file URL derived from the upload URL carries no credentials: user info and fragment are dropped, a query is refused', async () => {
    const srv = await startUploadServer((r) => ({
      status: 201,
      body: r.url.includes('sig=') ? '{"url":"/files/a.wav"}' : '',
    }));
    try {
      const withUser = srv.url.replace('http://', 'http://user:pass-SECRET@');
      const put = new HttpUploadProvider({
        url: `${withUser}/bucket/{fileName}#frag`,
        method: 'PUT',
        fieldName: 'file',
        responseUrlPath: '',
      });
      const result = await put.upload({
        source: { kind: 'bytes', bytes: sample },
        fileName: 'a b.mp3',
        contentType: 'audio/mpeg',
      });
      assert.strictEqual(srv.received[0].url, '/bucket/a%20b.mp3');
      assert.strictEqual(
        result.url,
        `${srv.url}/bucket/a%20b.mp3`,
        'no user info or fragment in the URL given to Kling',
      );
      assert.strictEqual(result.displayUrl, result.url);

      // A query on the upload URL (a presigned PUT, a token): it must not become the file URL, with or without the query.
      const uploads = srv.received.length;
      assert.throws(
        () =>
          new HttpUploadProvider({
            url: `${srv.url}/bucket/{fileName}?sig=UPLOADSECRET`,
            method: 'PUT',
            fieldName: 'file',
            responseUrlPath: '',
          }),
        (e: unknown) =>
          e instanceof UploadError &&
          /klingVoice\.upload\.http\.responseUrlPath/.test(e.message) &&
          /JSON answer/.test(e.message) &&
          !e.message.includes('UPLOADSECRET'),
      );
      assert.strictEqual(srv.received.length, uploads, 'nothing is uploaded');

      // With the URL read from the answer, a relative answer inherits neither the query nor the user info.
      const json = new HttpUploadProvider({
        url: `${withUser}/bucket/{fileName}?sig=UPLOADSECRET`,
        method: 'PUT',
        fieldName: 'file',
        responseUrlPath: 'url',
      });
      const r2 = await json.upload({
        source: { kind: 'bytes', bytes: sample },
        fileName: 'a.wav',
        contentType: 'audio/wav',
      });
      assert.strictEqual(
        srv.received[srv.received.length - 1].url,
        '/bucket/a.wav?sig=UPLOADSECRET',
        'the upload itself keeps its query',
      );
      assert.strictEqual(r2.url, `${srv.url}/files/a.wav`);
    } finally {
      await srv.close();
    }
  });

  it('retries transient failures (503, then 200) and gives up on 4xx with a clear message', async () => {
    const srv = await startUploadServer((_r, n) =>
      n === 1 ? { status: 503, body: 'busy' } : { status: 200, body: '{"url":"https://cdn.example/x.wav"}' },
    );
    try {
      const p = new HttpUploadProvider({
        url: `${srv.url}/u`,
        method: 'POST',
        fieldName: 'file',
        responseUrlPath: 'url',
      });
      const r = await p.upload({
        source: { kind: 'bytes', bytes: sample },
        fileName: 'x.wav',
        contentType: 'audio/wav',
      });
      assert.strictEqual(r.url, 'https://cdn.example/x.wav');
      assert.strictEqual(srv.received.length, 2);
      assert.ok(srv.received[1].body.length > sample.length, 'the body is sent again in full');
    } finally {
      await srv.close();
    }
    const denied = await startUploadServer(() => ({ status: 401, body: '{}' }));
    try {
      const p = new HttpUploadProvider({
        url: `${denied.url}/u`,
        method: 'POST',
        fieldName: 'file',
        responseUrlPath: 'url',
        token: 't',
      });
      await assert.rejects(
        p.upload({ source: { kind: 'bytes', bytes: sample }, fileName: 'x.wav', contentType: 'audio/wav' }),
        /refused the upload \(HTTP 401\).*Set Upload Credentials/,
      );
      assert.strictEqual(denied.received.length, 1, '4xx is not retried');
    } finally {
      await denied.close();
    }
  });

  it('explains answers without a URL', async () => {
    const srv = await startUploadServer((_r, n) =>
      n === 1 ? { status: 200, body: '<html>ok</html>' } : { status: 200, body: '{"data":{}}' },
    );
    try {
      const p = new HttpUploadProvider({
        url: `${srv.url}/u`,
        method: 'POST',
        fieldName: 'file',
        responseUrlPath: 'data.url',
      });
      await assert.rejects(
        p.upload({ source: { kind: 'bytes', bytes: sample }, fileName: 'x.wav', contentType: 'audio/wav' }),
        /did not answer with JSON/,
      );
      await assert.rejects(
        p.upload({ source: { kind: 'bytes', bytes: sample }, fileName: 'x.wav', contentType: 'audio/wav' }),
        /no URL at "data\.url"/,
      );
    } finally {
      await srv.close();
    }
  });

  it('cancels a hanging upload at once through the AbortSignal', async () => {
    const srv = await startUploadServer(() => 'hang');
    try {
      const p = new HttpUploadProvider({
        url: `${srv.url}/u`,
        method: 'POST',
        fieldName: 'file',
        responseUrlPath: 'url',
      });
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 200);
      await assert.rejects(
        p.upload({
          source: { kind: 'bytes', bytes: sample },
          fileName: 'x.wav',
          contentType: 'audio/wav',
          signal: controller.signal,
        }),
        (e: unknown) => e instanceof UploadError && e.cancelled,
      );
      assert.ok(Date.now() - started < 2000);
    } finally {
      await srv.close();
    }
  });

  it("errors keep the API's contract: kind 'upload', the failing answer's HTTP status, and whether a retry may work", async () => {
    const upload = (url: string, signal?: AbortSignal) =>
      new HttpUploadProvider({ url: `${url}/u`, method: 'POST', fieldName: 'file', responseUrlPath: 'url', token: 't' })
        .upload({ source: { kind: 'bytes', bytes: sample }, fileName: 'x.wav', contentType: 'audio/wav', signal })
        .then(
          () => assert.fail('the upload should fail'),
          (err: unknown) => {
            assert.ok(err instanceof UploadError, String(err));
            return err;
          },
        );
    // Still busy after every attempt: the same upload may work later.
    const busy = await startUploadServer(() => ({ status: 503, body: 'busy' }));
    try {
      const e = await upload(busy.url);
      assert.deepStrictEqual(
        [e.name, e.kind, e.status, e.retryable, e.cancelled],
        ['UploadError', 'upload', 503, true, false],
      );
      assert.match(e.message, /^The upload to 127\.0\.0\.1:\d+ failed \(HTTP 503: busy\)\.$/);
      assert.strictEqual(busy.received.length, 3, 'tried three times before giving up');
    } finally {
      await busy.close();
    }
    // Refused: trying the same again will not help.
    const denied = await startUploadServer(() => ({ status: 403, body: '{}' }));
    try {
      const e = await upload(denied.url);
      assert.deepStrictEqual([e.kind, e.status, e.retryable, e.cancelled], ['upload', 403, false, false]);
      assert.match(e.message, /refused the upload \(HTTP 403\)/);
    } finally {
      await denied.close();
    }
    // No answer at all (nothing listens on the port): no status, and worth another try.
    const gone = await startUploadServer(() => ({ status: 200, body: '{}' }));
    await gone.close();
    const unreachable = await upload(gone.url);
    assert.deepStrictEqual([unreachable.kind, unreachable.status, unreachable.retryable], ['upload', undefined, true]);
    assert.match(unreachable.message, /^Could not reach 127\.0\.0\.1:\d+: /);
    // Cancelled: as before, `cancelled` is true; not an error to retry.
    const hang = await startUploadServer(() => 'hang');
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const e = await upload(hang.url, controller.signal);
      assert.deepStrictEqual([e.kind, e.status, e.retryable, e.cancelled], ['upload', undefined, false, true]);
      assert.strictEqual(e.message, 'The upload was cancelled.');
    } finally {
      await hang.close();
    }
    // A configuration problem found before anything is sent.
    assert.throws(
      () => new HttpUploadProvider({ url: '', method: 'POST', fieldName: 'file', responseUrlPath: 'url' }),
      (err: unknown) =>
        err instanceof UploadError &&
        err.kind === 'upload' &&
        err.status === undefined &&
        err.retryable === false &&
        /http\.url/.test(err.message),
    );
  });

  it('reads JSON paths and redacts URLs', () => {
    assert.strictEqual(readJsonPath({ a: { b: [{ c: 'x' }] } }, 'a.b.0.c'), 'x');
    assert.strictEqual(readJsonPath({ a: { b: [{ c: 'x' }] } }, 'a.b[0].c'), 'x');
    assert.strictEqual(readJsonPath({ a: 1 }, 'a.b'), undefined);
    assert.strictEqual(redactUrl('https://user:pw@h.example/p/x.wav?X-Amz-Signature=s#f'), 'https://h.example/p/x.wav');
    assert.throws(
      () => new HttpUploadProvider({ url: 'not a url', method: 'POST', fieldName: 'f', responseUrlPath: 'url' }),
      /klingVoice\.upload\.http\.url/,
    );
  });
});

/** Fails when any 6-character piece of `secret` is in the error's message, stack or enumerable properties, or in the log. */
function assertNoSecret(e: unknown, secret: string, logs: string[] = []): void {
  const texts = [...logs];
  if (e instanceof Error) {
    texts.push(e.message, String(e.stack));
  }
  texts.push(
    JSON.stringify(e),
    ...Object.keys(e as object).map((k) => JSON.stringify((e as Record<string, unknown>)[k]) ?? ''),
  );
  for (let i = 0; i + 6 <= secret.length; i++) {
    const piece = secret.slice(i, i + 6);
    for (const t of texts) {
      assert.ok(!t.includes(piece), `"${piece}" of the secret leaked into: ${t}`);
    }
  }
}

describe('upload: credentials never reach errors or logs', function () {
  this.timeout(20_000);
  const token = 'TOKEN123456-secret-abcdef';

  it('the HTTP provider redacts the token, Authorization/Bearer values and presigned queries of an error answer', async () => {
    // Echoes the request's Authorization header, quotes the token cut short, and names a presigned link;
    // the padding puts the token across the 200-character cut, so cutting before redacting would leak its start.
    const srv = await startUploadServer((r) => ({
      status: 400,
      body:
        `${'x'.repeat(185)} ${String(r.headers.authorization)} denied; Authorization: ${String(r.headers.authorization)}` +
        ` token=${token.slice(0, 9)}… see https://user:pw@files.example/x.wav?X-Amz-Signature=SIGSIGSIG123&X-Amz-Credential=AKIAXYZ123%2F2024 /files/x.wav?sig=QUERYSECRET1`,
    }));
    try {
      const logs: string[] = [];
      const p = new HttpUploadProvider({
        url: `${srv.url}/u`,
        method: 'POST',
        fieldName: 'file',
        responseUrlPath: 'url',
        token,
        log: (m) => logs.push(m),
      });
      const e = await p
        .upload({ source: { kind: 'bytes', bytes: sample }, fileName: 'x.wav', contentType: 'audio/wav' })
        .then(
          () => assert.fail('the upload should fail'),
          (err: unknown) => err,
        );
      assert.ok(
        e instanceof UploadError && e.options.status === 400 && /failed \(HTTP 400: x+/.test(e.message),
        String(e),
      );
      assertNoSecret(e, token, logs);
      // With the padding gone, the rest of the answer is in the message: check it is scrubbed too.
      const srv2 = await startUploadServer((r) => ({
        status: 400,
        body: `denied for ${String(r.headers.authorization)} https://user:pw@files.example/x.wav?X-Amz-Signature=SIGSIGSIG123&X-Amz-Credential=AKIAXYZ123 /files/y.wav?sig=QUERYSECRET1`,
      }));
      try {
        const p2 = new HttpUploadProvider({
          url: `${srv2.url}/u`,
          method: 'PUT',
          fieldName: 'file',
          responseUrlPath: '',
          token,
          log: (m) => logs.push(m),
        });
        const e2 = await p2
          .upload({ source: { kind: 'bytes', bytes: sample }, fileName: 'x.wav', contentType: 'audio/wav' })
          .then(
            () => assert.fail('the upload should fail'),
            (err: unknown) => err,
          );
        assertNoSecret(e2, token, logs);
        for (const secret of ['SIGSIGSIG123', 'AKIAXYZ123', 'QUERYSECRET1', 'user:pw']) {
          assertNoSecret(e2, secret, logs);
        }
        assert.match(
          (e2 as Error).message,
          /denied for Bearer \*\*\* https:\/\/files\.example\/x\.wav \/files\/y\.wav\?\*\*\*/,
        );
      } finally {
        await srv2.close();
      }
    } finally {
      await srv.close();
    }
  });

  it('the S3 provider redacts the keys, signatures and presigned queries of an error answer', async () => {
    const accessKeyId = 'AKIAREDACTME12345';
    const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY';
    const srv = await startUploadServer((r) => ({
      status: 400,
      body:
        `<?xml version="1.0"?><Error><Code>InvalidRequest</Code><Message>${'y'.repeat(185)} key ${secretAccessKey} of ${accessKeyId}` +
        ` (${String(r.headers.authorization)}) https://b.example/k.wav?X-Amz-Credential=${accessKeyId}%2F20240101&amp;X-Amz-Signature=SIGSIGSIG123</Message>` +
        `<AWSAccessKeyId>${accessKeyId}</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256 x</StringToSign></Error>`,
    }));
    try {
      const logs: string[] = [];
      const p = new S3UploadProvider({
        endpoint: srv.url,
        region: 'us-east-1',
        bucket: 'b',
        keyPrefix: '',
        accessKeyId,
        secretAccessKey,
        presignExpirySeconds: 60,
        forcePathStyle: true,
        log: (m) => logs.push(m),
      });
      const e = await p
        .upload({ source: { kind: 'bytes', bytes: sample }, fileName: 'x.wav', contentType: 'audio/wav' })
        .then(
          () => assert.fail('the upload should fail'),
          (err: unknown) => err,
        );
      assert.ok(e instanceof UploadError && /InvalidRequest, HTTP 400: y+/.test(e.message), String(e));
      for (const secret of [accessKeyId, secretAccessKey, 'SIGSIGSIG123']) {
        assertNoSecret(e, secret, logs);
      }
      const short = s3ErrorMessage(
        400,
        `<Error><Code>InvalidRequest</Code><Message>key ${secretAccessKey}, Credential=${accessKeyId}/20240101/us-east-1/s3/aws4_request, Signature=abcdef0123456789</Message></Error>`,
        'b',
        'h',
        [accessKeyId, secretAccessKey],
      );
      assert.strictEqual(
        short,
        'The upload to h failed (InvalidRequest, HTTP 400: key ***, Credential=***, Signature=***).',
      );
    } finally {
      await srv.close();
    }
  });

  it('redactText removes secrets, Authorization and Bearer values, and presigned query strings', () => {
    assert.strictEqual(redactText('Authorization: Basic dXNlcjpwYXNz\nnext'), 'Authorization: ***\nnext');
    assert.strictEqual(redactText('{"authorization":"Bearer abc.def","ok":1}'), '{"authorization":"***","ok":1}');
    assert.strictEqual(redactText('got bearer abc-DEF_123= twice'), 'got bearer *** twice');
    assert.strictEqual(
      redactText('GET http://u:p@h.example/a.wav?X-Amz-Signature=s#f failed'),
      'GET http://h.example/a.wav failed',
    );
    assert.strictEqual(redactText('see /a.wav?token=abc&x=1 now'), 'see /a.wav?*** now');
    assert.strictEqual(redactText('(from https://h.example/a.wav?sig=abc).'), '(from https://h.example/a.wav).');
    const malformed = "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'";
    assert.strictEqual(redactText(malformed), malformed, "S3's own messages stay readable");
    assert.strictEqual(
      redactText('X-Amz-Credential: AKIA1/2/3 X-Amz-Signature="abc"'),
      'X-Amz-Credential: *** X-Amz-Signature="***"',
    );
    assert.strictEqual(redactText('the key is s3cr3t-value!', ['s3cr3t-value']), 'the key is ***!');
    assert.strictEqual(
      redactText('echo s3cr3t-va…', ['s3cr3t-value']),
      'echo ***',
      'a piece of a secret is a leak too',
    );
    assert.strictEqual(redactText('echo s3cr3t%2Fv', ['s3cr3t/v']), 'echo ***', 'URL-encoded');
    assert.strictEqual(redactText('Why? Because. A plain sentence stays.'), 'Why? Because. A plain sentence stays.');
    assert.strictEqual(serverExcerpt(`${'a'.repeat(198)} Bearer abcdefgh`, [], 200), `${'a'.repeat(198)} B…`);
  });
});

describe('upload: file names keep their extension, whatever script they are in', function () {
  this.timeout(20_000);
  const long = `${'x'.repeat(300)}.mp3`;

  it('safeObjectName cleans the stem and the extension separately', () => {
    assert.strictEqual(safeObjectName('声音.wav'), 'sample.wav');
    assert.strictEqual(safeObjectName('😀.mp3'), 'sample.mp3');
    assert.strictEqual(safeObjectName('a b.WAV'), 'a_b.wav');
    assert.strictEqual(safeObjectName('..wav'), 'sample.wav');
    assert.strictEqual(safeObjectName(long), `${'x'.repeat(76)}.mp3`);
    assert.strictEqual(safeObjectName('/tmp/声音 take 2.Mp3'), 'take_2.mp3');
    assert.strictEqual(safeObjectName('café.ＷＡＶ'), 'cafe.wav');
    assert.strictEqual(safeObjectName('no extension'), 'no_extension');
    assert.strictEqual(safeObjectName('声音'), 'sample');
  });

  it('uploadFileName keeps the name as written, cut to 200 bytes between characters, with a lower-case extension', () => {
    assert.strictEqual(uploadFileName('声音.wav'), '声音.wav');
    assert.strictEqual(uploadFileName('😀.mp3'), '😀.mp3');
    assert.strictEqual(uploadFileName('a b.WAV'), 'a b.wav');
    assert.strictEqual(uploadFileName('..wav'), 'sample.wav');
    assert.strictEqual(uploadFileName('..'), 'sample');
    assert.strictEqual(uploadFileName(long), `${'x'.repeat(196)}.mp3`);
    const han = uploadFileName(`${'声'.repeat(100)}.wav`);
    assert.strictEqual(han, `${'声'.repeat(65)}.wav`, '3-byte characters are never cut in half');
    assert.ok(Buffer.byteLength(uploadFileName('😀'.repeat(100) + '.mp3')) <= 200);
    assert.strictEqual(uploadFileName('cafe\u0301\u0007.wav'), 'café.wav', 'NFC, no control characters');
  });

  it('the multipart part names a non-ASCII file with filename* (RFC 8187) after an ASCII filename', () => {
    assert.strictEqual(
      contentDisposition('file', '声音.wav'),
      `form-data; name="file"; filename="sample.wav"; filename*=UTF-8''%E5%A3%B0%E9%9F%B3.wav`,
    );
    assert.strictEqual(
      contentDisposition('file', "😀 (it's).mp3"),
      `form-data; name="file"; filename="it_s_.mp3"; filename*=UTF-8''%F0%9F%98%80%20%28it%27s%29.mp3`,
    );
    assert.strictEqual(contentDisposition('file', 'a b.wav'), 'form-data; name="file"; filename="a b.wav"');
  });

  it('S3: the object key and the presigned URL end in the extension', async () => {
    const server = await startS3Server();
    try {
      for (const [name, ext] of [
        ['声音.wav', '.wav'],
        ['😀.mp3', '.mp3'],
        ['a b.WAV', '.wav'],
        ['..wav', '.wav'],
        [long, '.mp3'],
      ]) {
        const result = await s3Provider(server).upload({
          source: { kind: 'bytes', bytes: sample },
          fileName: name,
          contentType: 'audio/wav',
        });
        const put = server.requests.filter((r) => r.method === 'PUT').pop();
        assert.strictEqual(put?.url.slice(-ext.length), ext, `${name}: ${put?.url}`);
        assert.ok(new URL(result.url).pathname.endsWith(ext), `${name}: ${result.displayUrl}`);
        assert.strictEqual((await get(result.url)).status, 200);
      }
    } finally {
      await server.close();
    }
  });

  it('HTTP PUT: {fileName} is the percent-encoded UTF-8 name, with its extension', async () => {
    const srv = await startUploadServer(() => ({ status: 201, body: '' }));
    try {
      const p = new HttpUploadProvider({
        url: `${srv.url}/bucket/{fileName}`,
        method: 'PUT',
        fieldName: 'file',
        responseUrlPath: '',
      });
      for (const [name, path] of [
        ['声音.wav', '/bucket/%E5%A3%B0%E9%9F%B3.wav'],
        ['😀.mp3', '/bucket/%F0%9F%98%80.mp3'],
        ['a b.WAV', '/bucket/a%20b.wav'],
        ['..wav', '/bucket/sample.wav'],
        [long, `/bucket/${'x'.repeat(196)}.mp3`],
      ]) {
        const result = await p.upload({
          source: { kind: 'bytes', bytes: sample },
          fileName: name,
          contentType: 'audio/wav',
        });
        assert.strictEqual(srv.received[srv.received.length - 1].url, path);
        assert.strictEqual(result.url, `${srv.url}${path}`);
      }
    } finally {
      await srv.close();
    }
  });

  it('HTTP POST: an endpoint that reads filename* stores the real name; the URL it answers keeps the extension', async () => {
    const endpoint = await startUploadEndpoint();
    try {
      const p = new HttpUploadProvider({
        url: `${endpoint.url}/upload`,
        method: 'POST',
        fieldName: 'file',
        responseUrlPath: 'data.url',
      });
      for (const name of ['声音.wav', '😀.mp3', 'a b.WAV', '..wav', long]) {
        const result = await p.upload({
          source: { kind: 'bytes', bytes: sample },
          fileName: name,
          contentType: 'audio/wav',
        });
        const expected = uploadFileName(name);
        assert.strictEqual(decodeURIComponent(new URL(result.url).pathname.split('/').pop() ?? ''), expected);
        assert.ok(/\.(wav|mp3)$/.test(new URL(result.url).pathname));
        const got = await get(result.url);
        assert.ok(got.body.equals(sample));
      }
    } finally {
      await endpoint.close();
    }
  });
});

describe('upload: a local file that cannot be read is named, not blamed on the network', function () {
  this.timeout(20_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-upload-missing-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const isFileError = (name: string, reason: RegExp) => (e: unknown) =>
    e instanceof UploadError &&
    e.message.includes(`"${name}" cannot be read`) &&
    reason.test(e.message) &&
    !/Could not reach|127\.0\.0\.1/.test(e.message) &&
    !e.options.retryable;

  it('HTTP: a missing file, and a folder found only while streaming', async () => {
    const srv = await startUploadServer(() => ({ status: 201, body: '' }));
    try {
      const p = new HttpUploadProvider({
        url: `${srv.url}/up/{fileName}`,
        method: 'PUT',
        fieldName: 'file',
        responseUrlPath: '',
      });
      const missing = path.join(dir, 'nope.wav');
      await assert.rejects(
        p.upload({ source: { kind: 'file', path: missing }, fileName: 'nope.wav', contentType: 'audio/wav' }),
        isFileError('nope.wav', /does not exist.*ENOENT/),
      );
      assert.strictEqual(srv.received.length, 0, 'nothing was sent, and no retry');
      // A folder passes the size check (stat) and fails when read: the streamed body's error is the file's too.
      const folder = path.join(dir, 'folder.wav');
      fs.mkdirSync(folder);
      const post = new HttpUploadProvider({
        url: `${srv.url}/up`,
        method: 'POST',
        fieldName: 'file',
        responseUrlPath: 'url',
      });
      await assert.rejects(
        post.upload({ source: { kind: 'file', path: folder }, fileName: 'folder.wav', contentType: 'audio/wav' }),
        isFileError('folder.wav', /folder.*EISDIR/),
      );
    } finally {
      await srv.close();
    }
  });

  it('S3: a missing file is reported before anything is signed or sent', async () => {
    const server = await startS3Server();
    try {
      await assert.rejects(
        s3Provider(server).upload({
          source: { kind: 'file', path: path.join(dir, 'gone.mp3') },
          fileName: 'gone.mp3',
          contentType: 'audio/mpeg',
        }),
        isFileError('gone.mp3', /does not exist.*ENOENT/),
      );
      assert.strictEqual(server.requests.length, 0);
    } finally {
      await server.close();
    }
  });
});

describe('upload: plain http only to this machine (issue 10, row 4)', function () {
  this.timeout(20_000);
  let s3: S3TestServer;
  before(async () => {
    s3 = await startS3Server();
  });
  after(() => s3.close());

  /** 0.0.0.0 reaches this machine's servers on Linux, but is not a loopback name: a stand-in for a remote host. */
  const remote = (url: string) => url.replace('127.0.0.1', '0.0.0.0');
  const isRefusal = (setting: string) => (e: unknown) =>
    e instanceof UploadError &&
    e.kind === 'upload' &&
    e.retryable === false &&
    e.message.includes(setting) &&
    /https/.test(e.message);

  it('the HTTP provider refuses http:// to another host before sending anything: no token, no sample', async () => {
    const srv = await startUploadServer(() => ({ status: 200, body: '{"url":"https://files.test/a.wav"}' }));
    try {
      for (const url of [`${remote(srv.url)}/upload`, 'http://files.example.test/upload', 'http://10.0.0.5/up']) {
        await assert.rejects(async () => {
          const p = new HttpUploadProvider({
            url,
            method: 'POST',
            fieldName: 'file',
            responseUrlPath: 'url',
            token: 'tok-77',
          });
          await p.upload({ source: { kind: 'bytes', bytes: sample }, fileName: 'a.wav', contentType: 'audio/wav' });
        }, isRefusal('klingVoice.upload.http.url'));
      }
      assert.strictEqual(srv.received.length, 0, 'nothing reached the server');
      for (const url of [
        `${srv.url}/upload`,
        'http://localhost:9/u',
        'http://[::1]:9/u',
        'https://files.example.test/u',
      ]) {
        new HttpUploadProvider({ url, method: 'POST', fieldName: 'file', responseUrlPath: 'url' });
      }
    } finally {
      await srv.close();
    }
  });

  it('the S3 provider refuses an http:// endpoint off this machine before signing or sending anything', async () => {
    const before = s3.requests.length;
    for (const endpoint of [remote(s3.endpoint), 'http://s3.example.test', 'http://192.168.1.20:9000']) {
      await assert.rejects(async () => {
        const p = s3Provider(s3, { endpoint });
        await p.upload({ source: { kind: 'bytes', bytes: sample }, fileName: 'a.wav', contentType: 'audio/wav' });
      }, isRefusal('klingVoice.upload.s3.endpoint'));
    }
    assert.strictEqual(s3.requests.length, before, 'nothing reached the server');
    for (const endpoint of [s3.endpoint, 'http://localhost:9000', 'http://[::1]:9000', 'https://r2.example.test', '']) {
      s3Provider(s3, { endpoint });
    }
  });
});
