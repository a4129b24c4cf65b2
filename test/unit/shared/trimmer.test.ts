import * as assert from 'assert';
import { peakEnvelope } from '../../../src/audio';
import {
  clampSelection,
  isSelection,
  isTrimmerToHost,
  MAX_TRIMMER_FILE_SEC,
  moveSelection,
  parseTrimmerState,
  resizeSelection,
  selectionProblem,
  type TrimmerToHost,
} from '../../../src/shared/protocol/trimmer';

describe('trimmer: peak envelope', () => {
  it('downsamples the mono mix to the peak of each slice, within 0–1', () => {
    const left = new Float32Array(1000);
    const right = new Float32Array(1000);
    left[10] = 0.5; // slice 0
    right[10] = 0.5;
    left[250] = -0.8; // slice 2, only one channel: mono mix is −0.4
    left[999] = 1.5; // slice 9, out of range: capped
    right[999] = 1.5;
    const env = peakEnvelope({ sampleRate: 1000, channels: [left, right] }, 10);
    assert.strictEqual(env.length, 10);
    assert.strictEqual(env[0], 0.5);
    assert.strictEqual(env[1], 0);
    assert.strictEqual(env[2], 0.4);
    assert.strictEqual(env[9], 1);
  });

  it('never has more values than samples, and rounds to 3 decimals', () => {
    assert.deepStrictEqual(peakEnvelope({ sampleRate: 8000, channels: [Float32Array.from([0.12345, -0.5, 0])] }, 2000), [0.123, 0.5, 0]);
    assert.deepStrictEqual(peakEnvelope({ sampleRate: 8000, channels: [new Float32Array(0)] }), []);
  });

  it('a 40 s file gives 2000 values by default (a few KB to post, not the audio)', () => {
    const env = peakEnvelope({ sampleRate: 16000, channels: [new Float32Array(40 * 16000).fill(0.25)] });
    assert.strictEqual(env.length, 2000);
    assert.ok(env.every((v) => v === 0.25));
  });
});

describe('trimmer: selection arithmetic', () => {
  it('clamps into the file, orders the edges, keeps a minimum length and rounds to 10 ms', () => {
    assert.deepStrictEqual(clampSelection({ startSec: -3, endSec: 50 }, 40), { startSec: 0, endSec: 40 });
    assert.deepStrictEqual(clampSelection({ startSec: 12, endSec: 2 }, 40), { startSec: 2, endSec: 12 });
    assert.deepStrictEqual(clampSelection({ startSec: 39.9, endSec: 39.95 }, 40), { startSec: 39.5, endSec: 40 });
    assert.deepStrictEqual(clampSelection({ startSec: Number.NaN, endSec: Number.POSITIVE_INFINITY }, 40), { startSec: 0, endSec: 40 });
    assert.deepStrictEqual(clampSelection({ startSec: 1.23456, endSec: 7.00001 }, 40), { startSec: 1.23, endSec: 7 });
  });

  it('moves the window keeping its length, stopping at both ends, without drift', () => {
    let s = { startSec: 10, endSec: 30 };
    for (let i = 0; i < 3; i++) {
      s = moveSelection(s, 0.1, 40);
    }
    assert.deepStrictEqual(s, { startSec: 10.3, endSec: 30.3 });
    assert.deepStrictEqual(moveSelection(s, 100, 40), { startSec: 20, endSec: 40 });
    assert.deepStrictEqual(moveSelection(s, -100, 40), { startSec: 0, endSec: 20 });
  });

  it('resizes one edge, never past the other', () => {
    assert.deepStrictEqual(resizeSelection({ startSec: 10, endSec: 30 }, 'start', 5, 40), { startSec: 5, endSec: 30 });
    assert.deepStrictEqual(resizeSelection({ startSec: 10, endSec: 30 }, 'end', 45, 40), { startSec: 10, endSec: 40 });
    assert.deepStrictEqual(resizeSelection({ startSec: 10, endSec: 30 }, 'start', 35, 40), { startSec: 29.5, endSec: 30 });
    assert.deepStrictEqual(resizeSelection({ startSec: 10, endSec: 30 }, 'end', 0, 40), { startSec: 10, endSec: 10.5 });
  });

  it("states Kling's 5–30 s rule with the real length", () => {
    assert.strictEqual(selectionProblem({ startSec: 0, endSec: 5 }), undefined);
    assert.strictEqual(selectionProblem({ startSec: 10, endSec: 40 }), undefined);
    assert.match(selectionProblem({ startSec: 0, endSec: 4.9 }) ?? '', /4\.9 s.*5–30 s/);
    assert.match(selectionProblem({ startSec: 0, endSec: 30.2 }) ?? '', /30\.2 s.*shorter/);
  });
});

describe('trimmer: message guard', () => {
  const sel = { startSec: 1, endSec: 21 };
  const valid: TrimmerToHost[] = [
    { type: 'ready' },
    { type: 'cancel' },
    { type: 'openUploadSettings' },
    { type: 'copyVoiceId' },
    { type: 'insertSnippet' },
    { type: 'showLog' },
    { type: 'voiceName', voiceName: 'Narr' },
    { type: 'voiceName', voiceName: '' },
    { type: 'preview', selection: sel, normalize: false },
    { type: 'create', selection: sel, normalize: true, voiceName: 'Narrator' },
  ];

  it('accepts well-formed messages', () => {
    for (const m of valid) {
      assert.ok(isTrimmerToHost(m), JSON.stringify(m));
    }
  });

  it('rejects unknown types, extra or missing fields, wrong types, and absurd selections', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      { type: 'load' },
      { type: 'ready', x: 1 },
      { type: 'preview', selection: sel },
      { type: 'preview', selection: sel, normalize: 'yes' },
      { type: 'preview', selection: { ...sel, extra: 1 }, normalize: false },
      { type: 'preview', selection: { startSec: 5, endSec: 5 }, normalize: false },
      { type: 'preview', selection: { startSec: -1, endSec: 5 }, normalize: false },
      { type: 'preview', selection: { startSec: 0, endSec: Number.NaN }, normalize: false },
      { type: 'preview', selection: { startSec: 0, endSec: MAX_TRIMMER_FILE_SEC + 1 }, normalize: false },
      { type: 'preview', selection: { startSec: '0', endSec: 5 }, normalize: false },
      { type: 'create', selection: sel, normalize: true },
      { type: 'create', selection: sel, normalize: true, voiceName: 'x'.repeat(201) },
      { type: 'create', selection: sel, normalize: true, voiceName: 7 },
      { type: 'copyVoiceId', voiceId: '1' },
      { type: 'insertSnippet', voiceId: '1' },
      { type: 'voiceName' },
      { type: 'voiceName', voiceName: 3 },
      { type: 'voiceName', voiceName: 'x'.repeat(201) },
      { type: 'voiceName', voiceName: 'x', extra: 1 },
      Object.assign(Object.create({ inherited: true }) as object, { type: 'ready' }),
    ];
    for (const m of bad) {
      assert.strictEqual(isTrimmerToHost(m), false, JSON.stringify(m));
    }
    assert.strictEqual(isSelection({ startSec: 0, endSec: 1 }), true);
  });
});

describe('trimmer: saved state (read back after a window reload)', () => {
  const uri = 'file:///home/me/samples/interview%20take.wav';

  it('keeps the file, the window and the normalize flag, and nothing else', () => {
    assert.deepStrictEqual(parseTrimmerState({ uri, selection: { startSec: 6, endSec: 16 }, normalize: true }), { uri, selection: { startSec: 6, endSec: 16 }, normalize: true });
    assert.deepStrictEqual(parseTrimmerState({ uri: 'vscode-remote://ssh-remote%2Bbox/a/b.MP3', normalize: false }), {
      uri: 'vscode-remote://ssh-remote%2Bbox/a/b.MP3',
      selection: undefined,
      normalize: false,
    });
    // Extra fields (an old page's voiceName, anything planted) are not carried over.
    assert.deepStrictEqual(parseTrimmerState({ uri, normalize: true, voiceName: 'x', durationSec: 99, apiKey: 'k' }), { uri, selection: undefined, normalize: true });
  });

  it('refuses a state that names no .wav or .mp3 file by a plain URI', () => {
    const bad: unknown[] = [
      undefined,
      null,
      uri,
      [uri],
      {},
      { uri: 42 },
      { uri: '' },
      { uri: '/home/me/a.wav' },
      { uri: 'file:///home/me/notes.txt' },
      { uri: 'file:///home/me/a.wav.txt' },
      { uri: 'file:///home/me/a.wav?x=1' },
      { uri: 'file:///home/me/a.wav#t=1' },
      { uri: 'file:///home/me/a b.wav' },
      { uri: 'file:///home/me/%E0%A4%A.wav' },
      { uri: `file:///${'a'.repeat(5000)}.wav` },
      { uri: '1file:///a.wav' },
      Object.assign(Object.create({ uri }) as object, {}),
    ];
    for (const state of bad) {
      assert.strictEqual(parseTrimmerState(state), undefined, JSON.stringify(state));
    }
  });

  it('drops window numbers it cannot trust (the suggested window is used instead) and takes normalize only as true', () => {
    for (const selection of [
      { startSec: 5, endSec: 2 },
      { startSec: -1, endSec: 10 },
      { startSec: 0, endSec: Number.POSITIVE_INFINITY },
      { startSec: 0, endSec: MAX_TRIMMER_FILE_SEC + 1 },
      { startSec: '1', endSec: 10 },
      { startSec: 1, endSec: 10, extra: true },
      [1, 10],
      'all',
    ]) {
      assert.deepStrictEqual(parseTrimmerState({ uri, selection, normalize: 'yes' }), { uri, selection: undefined, normalize: false }, JSON.stringify(selection));
    }
  });
});
