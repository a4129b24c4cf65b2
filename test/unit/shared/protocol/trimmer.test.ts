import * as assert from 'assert';

import {
  isSelection,
  isTrimmerToHost,
  parseTrimmerState,
  type TrimmerToHost,
} from '../../../../src/shared/protocol/trimmer';
import { MAX_TRIMMER_FILE_SEC } from '../../../../src/shared/selection';

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
    assert.deepStrictEqual(parseTrimmerState({ uri, selection: { startSec: 6, endSec: 16 }, normalize: true }), {
      uri,
      selection: { startSec: 6, endSec: 16 },
      normalize: true,
    });
    assert.deepStrictEqual(parseTrimmerState({ uri: 'vscode-remote://ssh-remote%2Bbox/a/b.MP3', normalize: false }), {
      uri: 'vscode-remote://ssh-remote%2Bbox/a/b.MP3',
      selection: undefined,
      normalize: false,
    });
    // Extra fields (an old page's voiceName, anything planted) are not carried over.
    assert.deepStrictEqual(parseTrimmerState({ uri, normalize: true, voiceName: 'x', durationSec: 99, apiKey: 'k' }), {
      uri,
      selection: undefined,
      normalize: true,
    });
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
      assert.deepStrictEqual(
        parseTrimmerState({ uri, selection, normalize: 'yes' }),
        { uri, selection: undefined, normalize: false },
        JSON.stringify(selection),
      );
    }
  });
});
