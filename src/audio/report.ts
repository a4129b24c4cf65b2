// The numbers are formatted as the webviews show them (src/shared/format.ts), so the report and the trimmer agree.
import { formatDbfs as dbfs, formatNoiseFloor, formatShare as pct, formatSnr } from '../shared/format';
import type { QualityReport } from './quality';
import { formatBytes, formatSeconds } from './rules';
import type { ProbeResult } from './types';
import type { AudioWindow } from './window';

/** One line for prompts: "8.2 s · WAV PCM · 44.1 kHz mono · peak −3.0 dBFS · 1 warning". */
export function summaryLine(p: ProbeResult, r?: QualityReport): string {
  const parts: string[] = [];
  if (p.durationSec !== undefined) {
    parts.push(formatSeconds(p.durationSec));
  }
  parts.push([p.kind?.toUpperCase(), p.codec].filter(Boolean).join(' '));
  if (p.sampleRate) {
    const ch = r?.channels ?? p.channels;
    parts.push(
      `${(p.sampleRate / 1000).toFixed(p.sampleRate % 1000 ? 1 : 0)} kHz${ch ? ` ${ch === 1 ? 'mono' : ch === 2 ? 'stereo' : `${ch} ch`}` : ''}`,
    );
  }
  if (r) {
    parts.push(`peak ${dbfs(r.peakDbfs)}`);
    parts.push(r.warnings.length ? `${r.warnings.length} warning${r.warnings.length > 1 ? 's' : ''}` : 'no warnings');
  } else {
    parts.push('not decoded (checked by its headers)');
  }
  return parts.join(' · ');
}

/** The full sample report as Markdown (shown in a preview and written to the log). */
export function reportMarkdown(p: ProbeResult, r: QualityReport | undefined, trimmed?: AudioWindow): string {
  const name = p.fileName.split(/[\\/]/).pop() ?? p.fileName;
  const lines = [`# Voice sample check: ${name}`, '', '| | |', '|---|---|'];
  const row = (k: string, v: string) => lines.push(`| ${k} | ${v.replace(/\|/g, '\\|')} |`);
  row('Type', [p.kind?.toUpperCase(), p.container && `(${p.container})`].filter(Boolean).join(' '));
  row('Codec', p.codec ?? 'unknown');
  row('Duration', p.durationSec !== undefined ? formatSeconds(p.durationSec) : 'unknown');
  row('Sample rate', p.sampleRate ? `${p.sampleRate} Hz` : 'unknown');
  row('Channels', String(r?.channels ?? p.channels ?? 'unknown'));
  row('Size', formatBytes(p.sizeBytes));
  if (trimmed) {
    row('Sent', `window ${formatSeconds(trimmed.startSec)} – ${formatSeconds(trimmed.endSec)}, as mono 16-bit WAV`);
  }
  if (r) {
    row('Peak', dbfs(r.peakDbfs));
    row('Clipping', pct(r.clippingShare));
    row('RMS loudness', dbfs(r.rmsDbfs));
    row('Silence', pct(r.silenceShare));
    row('Noise floor (est.)', formatNoiseFloor(r.noiseFloorDbfs));
    row('SNR (est.)', formatSnr(r.snrDb, r.noiseFloorDbfs));
  } else {
    lines.push('', '_The audio of MP4/MOV files is not decoded here (AAC); only the headers were checked._');
  }
  lines.push(
    '',
    '## What Kling needs',
    '',
    'One person speaking, clearly, for 5–30 s, with no music, no other voices and little background noise.',
    '',
  );
  if (r?.warnings.length) {
    lines.push('## Warnings', '', ...r.warnings.map((w) => `- ${w}`), '');
  } else if (r) {
    lines.push('No problems found.', '');
  }
  return lines.join('\n');
}
