// One audio check as the extension runs it, in this process: the audio worker (dist/audioWorker.js, the shipped
// bundle) started, the file inspected, and the longest gap of a 5 ms timer on this (the calling) thread measured.
// Run by tools/bench/work.ts under /usr/bin/time, which gives the peak RSS of the whole process, worker included:
//   node out/tools/bench/audioCheck.js <file> [<start s> <end s>]
// With a window, the file is kept as the trimmer keeps it and the window exported as the trimmer's preview does
// (decoded again from the file), and the export's time is measured too. Prints one line of JSON (AudioCheckResult).
import * as fs from 'fs';
import * as path from 'path';
import { AudioWorkerClient } from '../../src/audioWorker/client';

export interface AudioCheckResult {
  ms: number;
  gapMs: number;
  durationSec?: number;
  problem?: string;
  rmsDbfs?: number;
  /** With a window: how long its export took, and its size. */
  exportMs?: number;
  exportBytes?: number;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  const root = path.resolve(__dirname, '..', '..', '..');
  const client = new AudioWorkerClient({ file: path.join(root, 'dist', 'audioWorker.js') });
  let last = performance.now();
  let gapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 5);
  const window = process.argv[3] ? { startSec: Number(process.argv[3]), endSec: Number(process.argv[4]) } : undefined;
  const t0 = performance.now();
  const r = await client.run(
    { type: 'inspect', source: { path: file }, fileName: path.basename(file), keep: window !== undefined },
    { sizeBytes: fs.statSync(file).size },
  );
  const ms = performance.now() - t0;
  let exportMs: number | undefined;
  let exportBytes: number | undefined;
  if (window && r.audioId) {
    const t1 = performance.now();
    const e = await client.run(
      { type: 'export', audioId: r.audioId, window, normalize: false, analyze: false, fileName: path.basename(file) },
      { sizeBytes: fs.statSync(file).size },
    );
    exportMs = performance.now() - t1;
    exportBytes = 'wav' in e ? e.wav.length : undefined;
  }
  gapMs = Math.max(gapMs, performance.now() - last);
  clearInterval(timer);
  client.dispose();
  const out: AudioCheckResult = {
    ms,
    gapMs,
    durationSec: r.probe.durationSec,
    problem: r.probe.problem,
    rmsDbfs: r.report?.rmsDbfs,
    exportMs,
    exportBytes,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
