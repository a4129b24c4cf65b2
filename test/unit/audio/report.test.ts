import * as assert from 'assert';

import { analyze, decodeAudio, probe, reportMarkdown, summaryLine } from '../../../src/audio';
import { add, clip, noise, speechLike, wavBytes } from '../../../tools/fixtures/audio';
import { formatNoiseFloor, formatSnr, qualityLine } from '../../../src/shared/format';

describe('audio: report text', () => {
  it('summarises and reports with the measured numbers and the warnings', async () => {
    const bytes = wavBytes([clip(speechLike(8), 3)]);
    const p = await probe(bytes, '/x/take.wav');
    const audio = await decodeAudio(bytes, p);
    assert.ok(audio);
    const r = analyze(audio);
    assert.match(summaryLine(p, r), /^8\.00 s · WAV PCM · 16 kHz mono · peak 0\.0 dBFS · \d warnings?$/);
    const md = reportMarkdown(p, r, { startSec: 1, endSec: 7 });
    assert.match(md, /^# Voice sample check: take\.wav/);
    assert.match(md, /\| Clipping \| \d+\.\d+ %/);
    assert.match(md, /\| Sent \| window 1\.00 s – 7\.00 s/);
    assert.match(md, /## Warnings\n\n- Clipping/);
    assert.match(summaryLine({ ...p, kind: 'mp4', codec: 'MPEG-4/AAC' }), /not decoded/);
  });
});

describe('audio: numbers as a user reads them (report, trimmer, form)', () => {
  it('a noise floor at digital silence reads "none (digital silence)", a real one in dBFS', () => {
    assert.strictEqual(formatNoiseFloor(-120), 'none (digital silence)');
    assert.strictEqual(formatNoiseFloor(Number.NEGATIVE_INFINITY), 'none (digital silence)');
    assert.strictEqual(formatNoiseFloor(-62.34), '−62.3 dBFS');
    assert.doesNotMatch(formatNoiseFloor(-120), /∞/);
  });

  it('SNR: "> 90 dB" over digital silence, "≥ 90 dB" at the cap, whole dB otherwise', () => {
    assert.strictEqual(formatSnr(90, -120), '>\u00a090 dB');
    assert.strictEqual(formatSnr(90, -100), '≥\u00a090 dB');
    assert.strictEqual(formatSnr(90), '≥\u00a090 dB');
    assert.strictEqual(formatSnr(41.6, -60), '42 dB');
    assert.strictEqual(formatSnr(0, -20), '0 dB');
  });

  it('speech with exact zeros between the words: the report and the one-line summary say so, without −∞ or "90 dB"', async () => {
    const bytes = wavBytes([speechLike(8)]); // 0.4 s of digital silence every 2 s
    const p = await probe(bytes, 'narrator.wav');
    const audio = await decodeAudio(bytes, p);
    assert.ok(audio);
    const r = analyze(audio);
    assert.ok(r.noiseFloorDbfs <= -120, `the fixture has a digitally silent floor (${r.noiseFloorDbfs})`);
    assert.strictEqual(r.snrDb, 90);
    const md = reportMarkdown(p, r);
    assert.match(md, /\| Noise floor \(est\.\) \| none \(digital silence\) \|/);
    assert.match(md, /\| SNR \(est\.\) \| >\u00a090 dB \|/);
    assert.doesNotMatch(md, /∞/);
    const line = qualityLine({
      peakDbfs: r.peakDbfs,
      rmsDbfs: r.rmsDbfs,
      clippingShare: r.clippingShare,
      silenceShare: r.silenceShare,
      noiseFloorDbfs: r.noiseFloorDbfs,
      snrDb: r.snrDb,
    });
    assert.match(line, /SNR >\u00a090 dB/);
  });

  it('a noisy recording keeps its measured numbers', async () => {
    const bytes = wavBytes([add(speechLike(8), noise(8, 16000, 0.003))]);
    const p = await probe(bytes, 'room.wav');
    const audio = await decodeAudio(bytes, p);
    assert.ok(audio);
    const r = analyze(audio);
    const md = reportMarkdown(p, r);
    assert.match(md, /\| Noise floor \(est\.\) \| −\d+\.\d dBFS \|/);
    assert.match(md, /\| SNR \(est\.\) \| \d+ dB \|/);
  });
});
