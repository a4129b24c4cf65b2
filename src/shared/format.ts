// Number formats shared by the webviews (the form's file summary and the trimmer's report). Pure: no vscode, no DOM.
import type { QualitySummary } from './protocol/createForm';

/** Digital silence and below is shown as −∞ (quality.ts reports it as −120 dBFS). */
const FLOOR_DB = -120;
/** quality.ts caps its SNR estimate here. */
export const SNR_CAP_DB = 90;

export function formatDbfs(x: number): string {
  return x <= FLOOR_DB ? '−∞ dBFS' : `${(x > -0.05 ? 0 : x).toFixed(1).replace('-', '−')} dBFS`;
}

/**
 * The estimated noise floor. A floor at digital silence (exact zeros between the words, as in a generated or
 * gated recording) is not a level anyone can hear: say so instead of "−∞ dBFS".
 */
export function formatNoiseFloor(x: number): string {
  return x <= FLOOR_DB ? 'none (digital silence)' : formatDbfs(x);
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
  return snrDb >= SNR_CAP_DB ? `≥\u00a0${SNR_CAP_DB} dB` : `${Math.max(0, snrDb).toFixed(0)} dB`;
}

export function formatShare(x: number): string {
  return `${(x * 100).toFixed(x > 0 && x < 0.01 ? 2 : 1)} %`;
}

/** "8.20 s", "41.0 s". */
export function formatSec(s: number): string {
  return `${s.toFixed(s < 10 ? 2 : 1)} s`;
}

/** "1:05.3" for a time position on a waveform. */
export function formatClock(s: number): string {
  const m = Math.floor(s / 60);
  const rest = s - m * 60;
  return `${m}:${rest.toFixed(1).padStart(4, '0')}`;
}

export function formatSize(n: number): string {
  if (n < 1024) {
    return `${n} B`;
  }
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatChannels(n: number): string {
  return n === 1 ? 'mono' : n === 2 ? 'stereo' : `${n} channels`;
}

/** One line: "peak −3.0 dBFS · RMS −18.2 dBFS · SNR 42 dB · silence 12.0 % · clipping 0.0 %". */
export function qualityLine(q: QualitySummary): string {
  return [
    `peak ${formatDbfs(q.peakDbfs)}`,
    `RMS ${formatDbfs(q.rmsDbfs)}`,
    `SNR ${formatSnr(q.snrDb, q.noiseFloorDbfs)}`,
    `silence ${formatShare(q.silenceShare)}`,
    `clipping ${formatShare(q.clippingShare)}`,
  ].join(' · ');
}
