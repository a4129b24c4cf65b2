import * as assert from 'assert';

import { suggestWindow } from '../../../src/audio';
import { clip, concat, noise, silence, speechLike } from '../../../tools/fixtures/audio';

describe('audio: best window', () => {
  it('finds the speech between long silences and noise, within 5–30 s', () => {
    // 10 s silence, 12 s speech, 8 s noise-only, 15 s silence: 45 s in all.
    const s = concat(silence(10), speechLike(12), noise(8, 16000, 0.002), silence(15));
    const w = suggestWindow({ sampleRate: 16000, channels: [s] }, 12);
    assert.ok(w);
    assert.ok(w.endSec - w.startSec >= 5 && w.endSec - w.startSec <= 30);
    assert.ok(w.startSec >= 9 && w.startSec <= 10.5, `start ${w.startSec}`);
    assert.ok(w.endSec >= 21.5 && w.endSec <= 23, `end ${w.endSec}`);
    assert.ok(w.activeShare > 0.7, `active ${w.activeShare}`);
  });

  it('does not take steady background noise for speech (the 20 s of speech, not the 14 s of hiss after it)', () => {
    const s = concat(silence(6), speechLike(20), noise(14, 16000, 0.01));
    const w = suggestWindow({ sampleRate: 16000, channels: [s] });
    assert.ok(w);
    assert.ok(w.startSec >= 5 && w.startSec <= 6.5, `start ${w.startSec}`);
    assert.ok(w.endSec >= 25 && w.endSec <= 27, `end ${w.endSec}`);
  });

  it('avoids a clipped stretch when a clean one is available', () => {
    const s = concat(clip(speechLike(10), 5), silence(1), speechLike(10));
    const w = suggestWindow({ sampleRate: 16000, channels: [s] }, 8);
    assert.ok(w);
    assert.ok(w.startSec >= 10, `start ${w.startSec}`);
    assert.strictEqual(w.clippedShare, 0);
  });

  it('caps the window at 30 s and the file length; nothing under 5 s', () => {
    const long = suggestWindow({ sampleRate: 8000, channels: [speechLike(60, 8000)] }, 45);
    assert.ok(long && long.endSec - long.startSec <= 30);
    const short = suggestWindow({ sampleRate: 8000, channels: [speechLike(7, 8000)] });
    assert.ok(short && short.endSec <= 7 + 1e-9);
    assert.strictEqual(suggestWindow({ sampleRate: 8000, channels: [speechLike(4, 8000)] }), undefined);
  });
});
