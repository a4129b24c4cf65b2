// The numbers are formatted as the webviews show them (src/shared/format.ts), so the report and the trimmer agree.
import * as l10n from '@vscode/l10n';
import { formatDbfs as dbfs, formatNoiseFloor, formatNumber, formatShare as pct, formatSnr } from '../shared/format';
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
    const channels = ch === 1 ? l10n.t('mono') : ch === 2 ? l10n.t('stereo') : l10n.t('{0} ch', ch ?? 0);
    parts.push(`${formatNumber(p.sampleRate / 1000, p.sampleRate % 1000 ? 1 : 0)} kHz${ch ? ` ${channels}` : ''}`);
  }
  if (r) {
    parts.push(l10n.t('peak {0}', dbfs(r.peakDbfs)));
    const n = r.warnings.length;
    parts.push(n ? (n > 1 ? l10n.t('{0} warnings', n) : l10n.t('{0} warning', n)) : l10n.t('no warnings'));
  } else {
    parts.push(l10n.t('not decoded (checked by its headers)'));
  }
  return parts.join(' · ');
}

/** The full sample report as Markdown (shown in a preview and written to the log). */
export function reportMarkdown(p: ProbeResult, r: QualityReport | undefined, trimmed?: AudioWindow): string {
  const name = p.fileName.split(/[\\/]/).pop() ?? p.fileName;
  const unknown = l10n.t('unknown');
  const lines = [`# ${l10n.t('Voice sample check: {0}', name)}`, '', '| | |', '|---|---|'];
  const row = (k: string, v: string) => lines.push(`| ${k} | ${v.replace(/\|/g, '\\|')} |`);
  row(l10n.t('Type'), [p.kind?.toUpperCase(), p.container && `(${p.container})`].filter(Boolean).join(' '));
  row(l10n.t('Codec'), p.codec ?? unknown);
  row(l10n.t('Duration'), p.durationSec !== undefined ? formatSeconds(p.durationSec) : unknown);
  row(l10n.t('Sample rate'), p.sampleRate ? `${p.sampleRate} Hz` : unknown);
  row(l10n.t('Channels'), String(r?.channels ?? p.channels ?? unknown));
  row(l10n.t('Size'), formatBytes(p.sizeBytes));
  if (trimmed) {
    row(
      l10n.t('Sent'),
      l10n.t('window {0} – {1}, as mono 16-bit WAV', formatSeconds(trimmed.startSec), formatSeconds(trimmed.endSec)),
    );
  }
  if (r) {
    row(l10n.t('Peak'), dbfs(r.peakDbfs));
    row(l10n.t('Clipping'), pct(r.clippingShare));
    row(l10n.t('RMS loudness'), dbfs(r.rmsDbfs));
    row(l10n.t('Silence'), pct(r.silenceShare));
    row(l10n.t('Noise floor (est.)'), formatNoiseFloor(r.noiseFloorDbfs));
    row(l10n.t('SNR (est.)'), formatSnr(r.snrDb, r.noiseFloorDbfs));
  } else {
    lines.push('', l10n.t('_The audio of MP4/MOV files is not decoded here (AAC); only the headers were checked._'));
  }
  lines.push(
    '',
    `## ${l10n.t('What Kling needs')}`,
    '',
    l10n.t('One person speaking, clearly, for 5–30 s, with no music, no other voices and little background noise.'),
    '',
  );
  if (r?.warnings.length) {
    lines.push(`## ${l10n.t('Warnings')}`, '', ...r.warnings.map((w) => `- ${w}`), '');
  } else if (r) {
    lines.push(l10n.t('No problems found.'), '');
  }
  return lines.join('\n');
}
