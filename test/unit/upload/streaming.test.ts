// A 50 MB upload streamed from disk, for both providers (S3 PUT with its length, HTTP PUT and multipart POST),
// against the real S3-compatible fake and the HTTP endpoint fake: the bytes arrive whole, the SHA-256 of the
// file comes from the upload's own pass, progress reaches the total, and the uploading process's resident memory
// grows by less than 30 MiB over idle (measured in a child process with its own GC, tools/bench/uploadMemory.ts).
import * as assert from 'assert';
import { execFile } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import type { UploadMemoryJob, UploadMemoryResult } from '../../../tools/bench/uploadMemory';
import { S3TestServer, startS3Server } from '../../../tools/fakes/s3server';
import { startUploadEndpoint, type UploadEndpoint } from '../../../tools/fakes/uploadEndpoint';

const SIZE = 50 * 1024 * 1024;
const MiB = 1024 * 1024;
const script = path.resolve(__dirname, '..', '..', '..', 'tools', 'bench', 'uploadMemory.js');

async function measure(job: UploadMemoryJob): Promise<UploadMemoryResult> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', script, JSON.stringify(job)], {
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(stdout) as UploadMemoryResult;
}

describe('upload: 50 MB streamed from disk (child process, real fakes)', function () {
  this.timeout(120_000);
  let dir: string;
  let file: string;
  let sha: string;
  let s3: S3TestServer;
  let endpoint: UploadEndpoint;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-stream-'));
    file = path.join(dir, 'big.wav');
    const block = Buffer.alloc(MiB);
    for (let i = 0; i < block.length; i++) {
      block[i] = (i * 31 + (i >> 10)) & 0xff;
    }
    const fd = fs.openSync(file, 'w');
    for (let m = 0; m < SIZE / MiB; m++) {
      block[0] = m; // every MiB differs a little
      fs.writeSync(fd, block);
    }
    fs.closeSync(fd);
    const hash = createHash('sha256');
    for await (const c of fs.createReadStream(file)) {
      hash.update(c as Buffer);
    }
    sha = hash.digest('hex');
    s3 = await startS3Server();
    endpoint = await startUploadEndpoint({ token: 'stream-token' });
  });
  after(async () => {
    await s3.close();
    await endpoint.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const check = (r: UploadMemoryResult, expectedTotal: number) => {
    assert.strictEqual(r.sha256, sha, 'the SHA-256 computed while streaming is the file’s');
    assert.strictEqual(r.lastProgress?.totalBytes, expectedTotal);
    assert.strictEqual(r.lastProgress?.sentBytes, r.lastProgress?.totalBytes, 'progress reaches the total');
    assert.ok(r.progressEvents > 100, `${r.progressEvents} progress events`);
    const growth = r.peakRssBytes - r.idleRssBytes;
    assert.ok(growth < 30 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB over idle`);
  };

  it('S3: a signed PUT with the length; the object is the file', async () => {
    const r = await measure({
      file,
      s3: {
        endpoint: s3.endpoint,
        bucket: s3.bucket,
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
      },
    });
    check(r, SIZE);
    const put = s3.requests.filter((q) => q.method === 'PUT').pop();
    assert.strictEqual(put?.status, 200);
    const res = await fetch(r.url);
    const got = createHash('sha256')
      .update(Buffer.from(await res.arrayBuffer()))
      .digest('hex');
    assert.strictEqual(got, sha, 'the presigned URL serves the same bytes');
  });

  it('HTTP PUT: the file as the body', async () => {
    const r = await measure({
      file,
      http: { url: `${endpoint.url}/upload/{fileName}`, method: 'PUT', token: 'stream-token' },
    });
    check(r, SIZE);
    const stored = endpoint.files.get(new URL(r.url).pathname);
    assert.strictEqual(stored?.length, SIZE);
    assert.strictEqual(createHash('sha256').update(stored).digest('hex'), sha);
    assert.strictEqual(endpoint.uploads.at(-1)?.headers['content-length'], String(SIZE));
  });

  it('HTTP multipart POST: the file field holds the file, and only the file is hashed', async () => {
    const r = await measure({ file, http: { url: `${endpoint.url}/upload`, method: 'POST', token: 'stream-token' } });
    // The total counts the multipart framing too (a head of about 150 bytes and the closing boundary).
    check(r, endpoint.uploads.at(-1)?.size ?? 0);
    assert.ok((r.lastProgress?.totalBytes ?? 0) > SIZE);
    const stored = endpoint.files.get(new URL(r.url).pathname);
    assert.strictEqual(stored?.length, SIZE);
    assert.strictEqual(createHash('sha256').update(stored).digest('hex'), sha);
  });
});
