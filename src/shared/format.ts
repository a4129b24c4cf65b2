// Number formats shared by the webviews (the form's file summary and the trimmer's report) and the host's reports.
// Pure: no vscode, no DOM. Units and words go through @vscode/l10n (configured by the host, or by the page from the
// bundle the host embeds); the digits follow the display language's decimal separator (setNumberLanguage).
import * as l10n from '@vscode/l10n';
import type { QualitySummary } from './protocol/createForm';

/** Digital silence and below is shown as −∞ (quality.ts reports it as −120 dBFS). */
const FLOOR_DB = -120;
/** quality.ts caps its SNR estimate here. */
export const SNR_CAP_DB = 90;

let decimalSeparator = '.';

/**
 * Formats numbers for a display language (VS Code's `vscode.env.language`, e.g. `en`, `zh-cn`, `de`): its decimal
 * separator, from Intl.NumberFormat. No grouping, so a number reads the same in a message and in a field.
 */
export function setNumberLanguage(language: string | undefined): void {
  decimalSeparator = '.';
  try {
    const parts = new Intl.NumberFormat(language || 'en').formatToParts(1.5);
    decimalSeparator = parts.find((p) => p.type === 'decimal')?.value ?? '.';
  } catch {
    // An unknown language tag: keep the point.
  }
}

/** `x` with `digits` decimals in the display language (toFixed's rounding; a real minus sign when `minus`). */
export function formatNumber(x: number, digits: number, minus = false): string {
  const text = x.toFixed(digits).replace('.', decimalSeparator);
  return minus ? text.replace('-', '−') : text;
}

export function formatDbfs(x: number): string {
  return x <= FLOOR_DB ? '−∞ dBFS' : `${formatNumber(x > -0.05 ? 0 : x, 1, true)} dBFS`;
}

/**
 * The estimated noise floor. A floor at digital silence (exact zeros between the words, as in a generated or
 * gated recording) is not a level anyone can hear: say so instead of "−∞ dBFS".
 */
export function formatNoiseFloor(x: number): string {
  return x <= FLOOR_DB ? l10n.t('none (digital silence)') : formatDbfs(x);
}

/**
 * The estimated SNR. quality.ts caps it at SNR_CAP_DB, so a capped value is a lower bound; over a floor of digital
 * silence there is no noise at all, and the ratio is beyond any number.
 */
export function formatSnr(snrDb: number, noiseFloorDbfs?: number): string {
  // A no-break space keeps "> 90" together when a line wraps.
  if (noiseFloorDbfs !== undefined && noiseFloorDbfs <= FLOOR_DB) {
    return `>\u00a0${SNR_CAP_DB} dB`;
  }
  return snrDb >= SNR_CAP_DB ? `≥\u00a0${SNR_CAP_DB} dB` : `${formatNumber(Math.max(0, snrDb), 0)} dB`;
}

export function formatShare(x: number): string {
  return formatPercent(formatNumber(x * 100, x > 0 && x < 0.01 ? 2 : 1));
}

/** "12.0 %" in English, "12.0%" in Chinese (no space before the sign there). */
export function formatPercent(number: string): string {
  return l10n.t('{0} %', number);
}

/** "8.20 s", "41.0 s". */
export function formatSec(s: number): string {
  return l10n.t('{0} s', formatNumber(s, s < 10 ? 2 : 1));
}

/** "1:05.3" for a time position on a waveform. */
export function formatClock(s: number): string {
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return `${m}:${formatNumber(rest, 1).padStart(4, '0')}`;
}

export function formatSize(n: number): string {
  if (n < 1024) {
    return `${n} B`;
  }
  return n < 1024 * 1024 ? `${formatNumber(n / 1024, 1)} KB` : `${formatNumber(n / (1024 * 1024), 1)} MB`;
}

export function formatChannels(n: number): string {
  return n === 1 ? l10n.t('mono') : n === 2 ? l10n.t('stereo') : l10n.t('{0} channels', n);
}

/** "1 (mono)"; Chinese puts the name in full-width parentheses: "1（单声道）". */
export function formatChannelCount(n: number): string {
  return l10n.t('{0} ({1})', n, formatChannels(n));
}

/** One line: "peak −3.0 dBFS · RMS −18.2 dBFS · SNR 42 dB · silence 12.0 % · clipping 0.0 %". */
export function qualityLine(q: QualitySummary): string {
  return [
    l10n.t('peak {0}', formatDbfs(q.peakDbfs)),
    l10n.t('RMS {0}', formatDbfs(q.rmsDbfs)),
    l10n.t('SNR {0}', formatSnr(q.snrDb, q.noiseFloorDbfs)),
    l10n.t('silence {0}', formatShare(q.silenceShare)),
    l10n.t('clipping {0}', formatShare(q.clippingShare)),
  ].join(' · ');
}
