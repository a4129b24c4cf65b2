// Measures one upload in this process: the resident memory before (idle, after a warm-up upload and a GC) and at
// its peak during the upload of a file streamed from disk, the time it took and the SHA-256 the upload computed.
// Run as a child process (its own memory only) by test/unit/upload/streaming.test.ts and tools/bench/bench.ts:
//   node --expose-gc out/tools/bench/uploadMemory.js '<json UploadMemoryJob>'
// Prints one line of JSON (UploadMemoryResult).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HttpUploadProvider, S3UploadProvider, type UploadProvider } from '../../src/upload';

export interface UploadMemoryJob {
  file: string;
  s3?: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  http?: { url: string; method: 'POST' | 'PUT'; token?: string };
}

export interface UploadMemoryResult {
  idleRssBytes: number;
  peakRssBytes: number;
  ms: number;
  sha256?: string;
  url: string;
  progressEvents: number;
  lastProgress?: { sentBytes: number; totalBytes: number };
}

function provider(job: UploadMemoryJob): UploadProvider {
  if (job.s3) {
    return new S3UploadProvider({
      ...job.s3,
      region: 'us-east-1',
      keyPrefix: 'bench/',
      presignExpirySeconds: 3600,
      forcePathStyle: true,
    });
  }
  if (job.http) {
    return new HttpUploadProvider({ ...job.http, fieldName: 'file', responseUrlPath: 'data.url' });
  }
  throw new Error('no provider');
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as UploadMemoryJob;
  const p = provider(job);
  const name = path.basename(job.file);
  // Warm up: the modules, the sockets and the crypto are loaded by a small upload first.
  const warm = path.join(os.tmpdir(), `kling-warm-${process.pid}.wav`);
  fs.writeFileSync(warm, Buffer.alloc(64 * 1024, 1));
  await p.upload({ source: { kind: 'file', path: warm }, fileName: 'warm.wav', contentType: 'audio/wav' });
  fs.rmSync(warm, { force: true });
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const idle = process.memoryUsage.rss();
  let peak = idle;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  let progressEvents = 0;
  let lastProgress: UploadMemoryResult['lastProgress'];
  const t0 = performance.now();
  const result = await p.upload({
    source: { kind: 'file', path: job.file },
    fileName: name,
    contentType: 'audio/wav',
    onProgress: (pr) => {
      progressEvents++;
      lastProgress = pr;
      peak = Math.max(peak, process.memoryUsage.rss());
    },
  });
  const ms = performance.now() - t0;
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage.rss());
  const out: UploadMemoryResult = {
    idleRssBytes: idle,
    peakRssBytes: peak,
    ms,
    sha256: result.sha256,
    url: result.url,
    progressEvents,
    lastProgress,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
