// Benchmark (not a test): how soon a finished task is seen, and how many requests it costs, with the poll schedule
// (src/kling/pollSchedule.ts, unit 1 s) against a fixed 3 s poll, for 9 s, 15 s and 60 s tasks in the sandbox over
// real HTTP on loopback. A real task's end falls anywhere between two checks, so each length runs six times, ending
// 0, 0.5, … 2.5 s later (one fixed-poll period), all at once (about a minute); the table gives the medians. The
// latency is from the sandbox's `succeed` to waitForTask returning. Then the same figures computed from the
// schedule for every task length from 5 to 60 s.
//   node out/tools/bench/poll.js      (npm run bench runs it after load.js)
import fetch from 'node-fetch';
import { FetchLike, KlingClient, VoiceTask, pollTimes } from '../../src/kling';
import { startSandbox } from '../sandbox';

const KEY = 'bench-key';
const LENGTHS_S = (process.env.KLING_BENCH_POLL_LENGTHS ?? '9,15,60').split(',').map(Number);

const OFFSETS_MS = [0, 500, 1000, 1500, 2000, 2500];

interface Run {
  lengthS: number;
  offsetMs: number;
  schedule: 'schedule' | 'fixed 3 s';
  gets: number;
  latencyMs: number;
}

async function fixedPoll(c: KlingClient, taskId: string, everyMs: number): Promise<VoiceTask> {
  for (;;) {
    // The reference: check at once, then every 3 s (what a simple client does).
    const t = await c.getTask(taskId);
    if (t.status === 'succeed' || t.status === 'failed') {
      return t;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function one(lengthS: number, offsetMs: number, schedule: Run['schedule']): Promise<Run> {
  const sb = await startSandbox({ apiKey: KEY, processingDelayMs: lengthS * 1000 + offsetMs });
  try {
    const c = new KlingClient({ baseUrl: sb.url, getApiKey: () => KEY, fetch: fetch as unknown as FetchLike });
    const created = await c.createVoice({ voiceName: 'Bench', videoId: '123456' });
    const answeredAt = Date.now();
    const done =
      schedule === 'schedule'
        ? await c.waitForTask(created.taskId, { intervalMs: 1000, createdAt: answeredAt })
        : await fixedPoll(c, created.taskId, 3000);
    const seenAt = Date.now();
    const task = sb.state.findTask(done.taskId);
    const endedAt = task?.history.find((h) => h.status === 'succeed' || h.status === 'failed')?.at ?? NaN;
    const gets = sb.state.requests.filter((r) => r.method === 'GET').length;
    return { lengthS, offsetMs, schedule, gets, latencyMs: seenAt - endedAt };
  } finally {
    await sb.close();
  }
}

function spread(times: (taskMs: number) => number[]): { medianMs: number; worstMs: number; gets15: number } {
  const lat: number[] = [];
  for (let t = 5000; t <= 60_000; t += 100) {
    const ts = times(t);
    lat.push(ts[ts.length - 1] - t);
  }
  lat.sort((a, b) => a - b);
  return { medianMs: lat[Math.floor(lat.length / 2)], worstMs: lat[lat.length - 1], gets15: times(15_000).length };
}

function fixedTimes(taskMs: number): number[] {
  const out: number[] = [];
  for (let t = 0; ; t += 3000) {
    out.push(t);
    if (t >= taskMs) {
      return out;
    }
  }
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
}

async function main(): Promise<void> {
  const runs = await Promise.all(
    LENGTHS_S.flatMap((s) => OFFSETS_MS.flatMap((o) => [one(s, o, 'schedule'), one(s, o, 'fixed 3 s')])),
  );
  console.log('task     poll        GETs (median)  seen after the end (median, max)');
  for (const lengthS of LENGTHS_S) {
    for (const schedule of ['schedule', 'fixed 3 s'] as const) {
      const rs = runs.filter((r) => r.lengthS === lengthS && r.schedule === schedule);
      const lat = median(rs.map((r) => r.latencyMs));
      const mark = schedule === 'schedule' ? (lat <= 1000 ? ' ✔ ≤ 1 s' : ' ✖ > 1 s') : '';
      console.log(
        `${String(lengthS).padStart(3)}+ s  ${schedule.padEnd(10)}  ${String(median(rs.map((r) => r.gets))).padStart(4)}           ${String(lat).padStart(5)} ms, ${Math.max(...rs.map((r) => r.latencyMs))} ms${mark}`,
      );
    }
  }
  const s = spread((t) => pollTimes(t, 1000));
  const f = spread(fixedTimes);
  console.log('computed over task lengths 5–60 s (checks taking no time):');
  console.log(
    `  schedule:  median ${s.medianMs} ms, worst ${s.worstMs} ms, ${s.gets15} GETs for 15 s${s.medianMs <= 1000 && s.gets15 <= 12 ? ' ✔' : ' ✖'}`,
  );
  console.log(`  fixed 3 s: median ${f.medianMs} ms, worst ${f.worstMs} ms, ${f.gets15} GETs for 15 s`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
