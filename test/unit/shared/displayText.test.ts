import * as assert from 'assert';
import { MAX_NAME_DISPLAY, displayText } from '../../../src/shared/displayText';

describe('displayText: server text made safe to show (issue 10, row 6)', () => {
  it('keeps an ordinary name, accents, CJK and emoji as they are', () => {
    for (const name of ['Narrator', "O'Brien", 'Zoë — vieux', '旁白 女声', 'Voice 🎙️ one', '<<<voice_1>>>']) {
      assert.strictEqual(displayText(name), name);
    }
  });

  it('removes control, bidi-override and zero-width characters; line breaks and tabs become one space', () => {
    assert.strictEqual(displayText('a\u0000b\u0007c\u001bd\u007fe\u0086f\u009bg'), 'abcdefg');
    assert.strictEqual(displayText('evil\u202egnp.exe\u202c'), 'evilgnp.exe');
    assert.strictEqual(displayText('\u2066x\u2069\u200by\u200d\u200ez\ufeff'), 'xyz');
    assert.strictEqual(displayText('line one\r\nline two\tthree\u2028four'), 'line one line two three four');
    assert.strictEqual(displayText('  \n  '), '');
  });

  it('cuts a long text to the limit in code points, never through a surrogate pair, and marks the cut', () => {
    const long = 'x'.repeat(10_000);
    const out = displayText(long);
    assert.strictEqual([...out].length, MAX_NAME_DISPLAY + 1);
    assert.ok(out.endsWith('…'));
    const emoji = '🎙️'.repeat(100);
    const cut = displayText(emoji, 7);
    assert.ok(!/[\ud800-\udbff]…$/.test(cut) && !/^[\udc00-\udfff]/.test(cut), JSON.stringify(cut));
    assert.strictEqual(displayText('exactly', 7), 'exactly');
  });

  it('takes anything a hostile caller passes without throwing', () => {
    for (const v of [undefined, null, 42, {}, [], Symbol('s')] as unknown[]) {
      assert.strictEqual(typeof displayText(v as string), 'string');
    }
    // A million characters of controls: linear, not a regex blow-up.
    const t0 = Date.now();
    displayText('\u0000\u202e '.repeat(1_000_000));
    assert.ok(Date.now() - t0 < 2000);
  });
});
