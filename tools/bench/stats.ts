// Small helpers of the benchmarks: min/median, a ✔/✖ mark, and a command's time and peak RSS (/usr/bin/time).
import { execFile } from 'child_process';
import * as fs from 'fs';

export function stats(values: number[]): { min: number; median: number } {
  const s = [...values].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)] };
}

export function mark(ok: boolean): string {
  return ok ? '✔' : '✖';
}

export const hasTime = fs.existsSync('/usr/bin/time');

/** Runs a command; resolves with its wall time, its peak RSS in bytes (with /usr/bin/time) and its stdout. */
export function timed(cmd: string, args: string[]): Promise<{ ms: number; rssBytes: number; stdout: string }> {
  const t0 = performance.now();
  const [file, argv] = hasTime ? ['/usr/bin/time', ['-f', 'RSSKB=%M', cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const ms = performance.now() - t0;
      if (error) {
        reject(new Error(`${cmd} failed: ${stderr || error.message}`));
        return;
      }
      const kb = Number(/RSSKB=(\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({ ms, rssBytes: kb * 1024, stdout });
    });
  });
}

export function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(0)} MB`;
}

export function ms(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`;
}
