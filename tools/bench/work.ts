// Benchmark (not a test) of the work a user waits for, every figure against a reference measured in the same run,
// interleaved (ours, reference, ours, …), with min and median:
// - 200 × getTask against the sandbox vs a raw node-fetch loop of the same GETs;
// - 30 s and 9-minute WAV/MP3/MP4 checks (the audio worker, as the extension runs it) vs ffmpeg's volumedetect
//   (WAV, MP3: a full decode) or ffprobe (MP4, which is checked by its headers), with the longest event-loop gap on
//   the calling thread and the peak RSS of each process (/usr/bin/time), against 100 MB for the 9-minute files, and a
//   1 s MP3 for the fixed cost of a process with the worker and its libraries; a 49 MB file of 0xFF named .mp3;
// - a trimmer's preview of a 20 s window at 8:00 of the 9-minute WAV and MP3 (decoded again from the file) vs
//   `ffmpeg -ss 480 -t 20` to a mono WAV;
// - a 50 MB upload (S3 PUT, HTTP PUT) vs `curl -T`, time and memory.
//   node out/tools/bench/work.js      (npm run bench runs it after load.js and poll.js)
// KLING_BENCH_RUNS_AUDIO (default 3) and KLING_BENCH_RUNS_UPLOAD (default 3) set the rounds.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fetch from 'node-fetch';
import { FetchLike, KlingClient } from '../../src/kling';
import { startS3Server } from '../fakes/s3server';
import { startUploadEndpoint } from '../fakes/uploadEndpoint';
import { startSandbox } from '../sandbox';
import type { AudioCheckResult } from './audioCheck';
import { hasTime, mark, mb, ms, stats, timed } from './stats';
import type { UploadMemoryResult } from './uploadMemory';

const KEY = 'bench-key';
const out = path.resolve(__dirname);
const audioRuns = Number(process.env.KLING_BENCH_RUNS_AUDIO ?? 3);
const uploadRuns = Number(process.env.KLING_BENCH_RUNS_UPLOAD ?? 3);

function hasCommand(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function getTaskRow(): Promise<void> {
  const sb = await startSandbox({ apiKey: KEY, processingDelayMs: 0 });
  try {
    const f = fetch as unknown as FetchLike;
    const c = new KlingClient({ baseUrl: sb.url, getApiKey: () => KEY, fetch: f });
    const { taskId } = await c.createVoice({ voiceName: 'Bench', videoId: '123456' });
    const ours: number[] = [];
    const raw: number[] = [];
    for (let round = 0; round < 5; round++) {
      let t0 = performance.now();
      for (let i = 0; i < 200; i++) {
        await c.getTask(taskId);
      }
      ours.push(performance.now() - t0);
      t0 = performance.now();
      for (let i = 0; i < 200; i++) {
        const res = await fetch(`${sb.url}/v1/general/custom-voices/${taskId}`, {
          headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
        });
        await res.json();
      }
      raw.push(performance.now() - t0);
    }
    const o = stats(ours);
    const r = stats(raw);
    console.log(
      `200 × getTask          ours min ${ms(o.min)}, median ${ms(o.median)}; raw fetch loop min ${ms(r.min)}, median ${ms(r.median)}; ratio ${(o.median / r.median).toFixed(2)} (no budget), 5 rounds interleaved`,
    );
  } finally {
    await sb.close();
  }
}

interface AudioFile {
  label: string;
  file: string;
  reference: 'ffmpeg' | 'ffprobe';
  /** Peak RSS budget of the check (the 9-minute files: 100 MB). */
  rssBudget?: number;
}

const RSS_BUDGET_MB = 100;

function makeAudio(dir: string): AudioFile[] {
  const ff = (...args: string[]) => execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args]);
  const files: AudioFile[] = [];
  for (const [tag, sec] of [
    ['30 s', 30],
    ['9 min', 540],
  ] as const) {
    const src = [
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=220:duration=${sec}`,
      '-f',
      'lavfi',
      '-i',
      `anoisesrc=d=${sec}:a=0.02`,
    ];
    const mix = ['-filter_complex', 'amix=2'];
    const p = (ext: string) => path.join(dir, `${sec}.${ext}`);
    ff(...src, ...mix, '-ac', '1', '-ar', '44100', p('wav')); // 9 min mono 16-bit: 47.6 MB, under the 50 MB cap
    ff(...src, ...mix, '-ac', '2', '-ar', '44100', '-b:a', '128k', p('mp3'));
    ff(...src, ...mix, '-ac', '2', '-ar', '44100', '-c:a', 'aac', '-b:a', '128k', p('mp4'));
    const rssBudget = sec === 540 ? RSS_BUDGET_MB : undefined;
    files.push({ label: `${tag} WAV`, file: p('wav'), reference: 'ffmpeg', rssBudget });
    files.push({ label: `${tag} MP3`, file: p('mp3'), reference: 'ffmpeg', rssBudget });
    files.push({ label: `${tag} MP4`, file: p('mp4'), reference: 'ffprobe', rssBudget });
  }
  ff('-f', 'lavfi', '-i', 'sine=frequency=220:duration=1', '-ac', '2', '-b:a', '128k', path.join(dir, '1.mp3'));
  files.unshift({ label: '1 s MP3 (fixed cost)', file: path.join(dir, '1.mp3'), reference: 'ffmpeg' });
  const ffFile = path.join(dir, 'ff.mp3');
  fs.writeFileSync(ffFile, Buffer.alloc(49 * 1024 * 1024, 0xff));
  files.push({ label: '49 MB of 0xFF .mp3', file: ffFile, reference: 'ffprobe' });
  return files;
}

function referenceArgs(a: AudioFile): [string, string[]] {
  return a.reference === 'ffmpeg'
    ? ['ffmpeg', ['-v', 'error', '-i', a.file, '-af', 'volumedetect', '-f', 'null', '-']]
    : ['ffprobe', ['-v', 'error', '-show_format', '-show_streams', a.file]];
}

/** How much the check's peak RSS misses its budget by, and why (beside ✖); empty when it is met. */
function rssMiss(peak: number, budgetMb: number, fixed: number | undefined): string {
  const over = peak - budgetMb * 1024 * 1024;
  if (over <= 0) {
    return '';
  }
  const floor = fixed ? `; a 1 s MP3 alone peaks at ${mb(fixed)}: Node, the worker thread and the libraries` : '';
  return ` misses by ${mb(over)}${floor}`;
}

/** Peak RSS of checking the 1 s MP3 (the fixed cost), once measured. */
let fixedRss: number | undefined;

async function audioRow(a: AudioFile): Promise<void> {
  const ours: { ms: number; rss: number; gap: number; r: AudioCheckResult }[] = [];
  const ref: { ms: number; rss: number }[] = [];
  const [cmd, args] = referenceArgs(a);
  for (let i = 0; i < audioRuns; i++) {
    const o = await timed(process.execPath, [path.join(out, 'audioCheck.js'), a.file]);
    const r = JSON.parse(o.stdout) as AudioCheckResult;
    ours.push({ ms: r.ms, rss: o.rssBytes, gap: r.gapMs, r });
    // The reference may refuse the file (0xFF): its time to say so is what counts.
    const t = await timed(cmd, args).catch(() => ({ ms: NaN, rssBytes: NaN }));
    ref.push({ ms: t.ms, rss: t.rssBytes });
  }
  const o = stats(ours.map((x) => x.ms));
  const r = stats(ref.map((x) => x.ms));
  const gap = stats(ours.map((x) => x.gap));
  const rss = stats(ours.map((x) => x.rss));
  const refRss = stats(ref.map((x) => x.rss));
  const what = ours[0].r.problem ? 'refused' : `${ours[0].r.durationSec?.toFixed(0)} s`;
  if (a.label.includes('fixed cost')) {
    fixedRss = rss.median;
  }
  const rssMark = a.rssBudget
    ? ` ${mark(rss.median <= a.rssBudget * 1024 * 1024)} (budget ${a.rssBudget} MB${rssMiss(rss.median, a.rssBudget, fixedRss)})`
    : '';
  const timeMark = a.label.includes('0xFF') ? ` ${mark(o.median <= 1000)} (budget 1 s)` : '';
  console.log(
    `${a.label.padEnd(19)} ${what.padEnd(8)} ours min ${ms(o.min)}, median ${ms(o.median)}${timeMark}; ${a.reference} min ${ms(r.min)}, median ${ms(r.median)}; ratio ${(o.median / r.median).toFixed(2)}` +
      ` | longest gap median ${ms(gap.median)}, max ${ms(Math.max(...ours.map((x) => x.gap)))} ${mark(Math.max(...ours.map((x) => x.gap)) <= 50)} (budget 50 ms)` +
      (hasTime ? ` | peak RSS ${mb(rss.median)}${rssMark}, ${a.reference} ${mb(refRss.median)}` : ''),
  );
}

/** A trimmer's preview: a 20 s window at 8:00 exported by the worker (decoded again from the file) vs ffmpeg. */
async function exportRow(a: AudioFile, dir: string): Promise<void> {
  const ours: number[] = [];
  const ref: number[] = [];
  const wav = path.join(dir, 'window.wav');
  const args = ['-v', 'error', '-y', '-ss', '480', '-t', '20', '-i', a.file, '-ac', '1', '-c:a', 'pcm_s16le', wav];
  for (let i = 0; i < audioRuns; i++) {
    const o = await timed(process.execPath, [path.join(out, 'audioCheck.js'), a.file, '480', '500']);
    ours.push((JSON.parse(o.stdout) as AudioCheckResult).exportMs ?? NaN);
    ref.push((await timed('ffmpeg', args)).ms);
  }
  const o = stats(ours);
  const r = stats(ref);
  console.log(
    `${`preview, ${a.label}`.padEnd(19)} 20 s at 8:00, decoded again from the file: ours min ${ms(o.min)}, median ${ms(o.median)}; ffmpeg -ss min ${ms(r.min)}, median ${ms(r.median)} (a whole process); ratio ${(o.median / r.median).toFixed(2)} (no budget)`,
  );
}

async function uploadRows(dir: string): Promise<void> {
  const file = path.join(dir, 'upload.wav');
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(1024 * 1024, 7);
  for (let i = 0; i < 50; i++) {
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
  const s3 = await startS3Server();
  const endpoint = await startUploadEndpoint();
  try {
    const jobs = {
      'S3 PUT': {
        file,
        s3: {
          endpoint: s3.endpoint,
          bucket: s3.bucket,
          accessKeyId: s3.accessKeyId,
          secretAccessKey: s3.secretAccessKey,
        },
      },
      'HTTP PUT': { file, http: { url: `${endpoint.url}/upload/{fileName}`, method: 'PUT' as const } },
    };
    for (const [label, job] of Object.entries(jobs)) {
      const ours: UploadMemoryResult[] = [];
      const curl: { ms: number; rss: number }[] = [];
      for (let i = 0; i < uploadRuns; i++) {
        const o = await timed(process.execPath, [
          '--expose-gc',
          path.join(out, 'uploadMemory.js'),
          JSON.stringify(job),
        ]);
        ours.push(JSON.parse(o.stdout) as UploadMemoryResult);
        const c = await timed('curl', ['-s', '-o', '/dev/null', '-T', file, `${endpoint.url}/upload/curl.wav`]);
        curl.push({ ms: c.ms, rss: c.rssBytes });
      }
      const t = stats(ours.map((x) => x.ms));
      const ct = stats(curl.map((x) => x.ms));
      const growth = stats(ours.map((x) => x.peakRssBytes - x.idleRssBytes));
      const peak = stats(ours.map((x) => x.peakRssBytes));
      console.log(
        `50 MB upload, ${label.padEnd(8)} ours min ${ms(t.min)}, median ${ms(t.median)}; curl -T (HTTP PUT) min ${ms(ct.min)}, median ${ms(ct.median)}; ratio ${(t.median / ct.median).toFixed(2)}` +
          ` | RSS +${mb(growth.median)} over idle ${mark(growth.median < 30 * 1024 * 1024)} (budget 30 MiB), peak ${mb(peak.median)}; curl peak ${mb(stats(curl.map((x) => x.rss)).median)}`,
      );
    }
  } finally {
    await s3.close();
    await endpoint.close();
  }
}

async function main(): Promise<void> {
  await getTaskRow();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-bench-'));
  try {
    if (hasCommand('ffmpeg') && hasCommand('ffprobe')) {
      const files = makeAudio(dir);
      for (const a of files) {
        await audioRow(a);
      }
      for (const a of files.filter((f) => f.label === '9 min WAV' || f.label === '9 min MP3')) {
        await exportRow(a, dir);
      }
    } else {
      console.log('audio checks: skipped, ffmpeg/ffprobe are not installed (the reference needs them)');
    }
    if (hasCommand('curl')) {
      await uploadRows(dir);
    } else {
      console.log('uploads: skipped, curl is not installed (the reference needs it)');
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
