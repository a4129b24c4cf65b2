import * as assert from 'assert';
import {
  emptyForm,
  formToInput,
  NO_FILE_CHOSEN,
  validateForm,
  type CreateFormValues,
} from '../../../src/shared/createForm';
import { isWebviewToHost, MAX_LENGTHS, type WebviewToHost } from '../../../src/shared/protocol/createForm';

function form(overrides: Partial<CreateFormValues> = {}): CreateFormValues {
  return { ...emptyForm(), voiceName: 'Narrator', voiceUrl: 'https://example.com/a.wav', ...overrides };
}

const VALID: WebviewToHost[] = [
  { type: 'ready' },
  { type: 'submit', form: form() },
  { type: 'submit', form: form({ source: 'video', videoId: '8830', voiceUrl: '' }) },
  { type: 'submit', form: form({ source: 'file' }) },
  // The guard checks shape only: an invalid name is the host validator's business (it answers with `invalid`).
  { type: 'submit', form: form({ voiceName: 'x'.repeat(21) }) },
  { type: 'submit', form: emptyForm() },
  { type: 'cancel' },
  { type: 'chooseFile' },
  { type: 'copyVoiceId' },
  { type: 'insertSnippet' },
  { type: 'showLog' },
  { type: 'setApiKey' },
  { type: 'reset' },
  { type: 'openUploadSettings' },
  { type: 'openTrimmer' },
];

describe('webview protocol guard (isWebviewToHost)', () => {
  it('accepts every valid message type', () => {
    const types = new Set<string>();
    for (const m of VALID) {
      assert.strictEqual(isWebviewToHost(m), true, JSON.stringify(m));
      // A JSON round trip (what postMessage does) keeps it valid.
      assert.strictEqual(isWebviewToHost(JSON.parse(JSON.stringify(m))), true, JSON.stringify(m));
      types.add(m.type);
    }
    assert.deepStrictEqual([...types].sort(), [
      'cancel',
      'chooseFile',
      'copyVoiceId',
      'insertSnippet',
      'openTrimmer',
      'openUploadSettings',
      'ready',
      'reset',
      'setApiKey',
      'showLog',
      'submit',
    ]);
  });

  it('accepts strings exactly at their length limit', () => {
    const f = form();
    for (const key of ['voiceName', 'voiceUrl', 'videoId', 'callbackUrl', 'externalTaskId'] as const) {
      assert.strictEqual(
        isWebviewToHost({ type: 'submit', form: { ...f, [key]: 'a'.repeat(MAX_LENGTHS[key]) } }),
        true,
        key,
      );
    }
  });

  it('rejects values that are not objects: null, undefined, arrays, primitives', () => {
    for (const v of [null, undefined, [], [{ type: 'ready' }], 'ready', 42, true, () => ({ type: 'ready' })]) {
      assert.strictEqual(isWebviewToHost(v), false, String(v));
    }
  });

  it('rejects unknown or mistyped `type` values', () => {
    for (const v of [
      {},
      { type: 'Ready' },
      { type: 'ready ' },
      { type: 'state' },
      { type: 'fileChosen', fileName: 'a.wav' },
      { type: 1 },
      { type: null },
      { type: ['ready'] },
      { type: { toString: () => 'ready' } },
    ]) {
      assert.strictEqual(isWebviewToHost(v), false, JSON.stringify(v));
    }
  });

  it('rejects extra fields and extra nesting on messages without payload', () => {
    for (const v of [
      { type: 'cancel', taskId: '1' },
      { type: 'ready', payload: {} },
      { type: 'copyVoiceId', voiceId: '123' },
      { type: 'reset', form: form() },
    ]) {
      assert.strictEqual(isWebviewToHost(v), false, JSON.stringify(v));
    }
  });

  it('rejects a submit with a missing, null, array or nested form', () => {
    const f = form();
    for (const v of [
      { type: 'submit' },
      { type: 'submit', form: null },
      { type: 'submit', form: [] },
      { type: 'submit', form: 'voiceName=x' },
      { type: 'submit', form: { form: f } },
      { type: 'submit', form: f, extra: true },
    ]) {
      assert.strictEqual(isWebviewToHost(v), false, JSON.stringify(v));
    }
  });

  it('rejects a form with a missing field, an extra field or a wrong field type', () => {
    const f = form();
    for (const key of Object.keys(f) as (keyof CreateFormValues)[]) {
      const missing: Partial<CreateFormValues> = { ...f };
      delete missing[key];
      assert.strictEqual(isWebviewToHost({ type: 'submit', form: missing }), false, `missing ${key}`);
      for (const wrong of [undefined, null, 1, true, ['x'], { value: 'x' }]) {
        assert.strictEqual(
          isWebviewToHost({ type: 'submit', form: { ...f, [key]: wrong } }),
          false,
          `${key} = ${JSON.stringify(wrong)}`,
        );
      }
    }
    assert.strictEqual(isWebviewToHost({ type: 'submit', form: { ...f, apiKey: 'k' } }), false, 'extra field');
    assert.strictEqual(isWebviewToHost({ type: 'submit', form: { ...f, source: 'upload' } }), false, 'unknown source');
    assert.strictEqual(
      isWebviewToHost({ type: 'submit', form: { ...f, source: 'URL' } }),
      false,
      'source is case-sensitive',
    );
  });

  it('rejects oversized strings', () => {
    const f = form();
    for (const key of ['voiceName', 'voiceUrl', 'videoId', 'callbackUrl', 'externalTaskId'] as const) {
      assert.strictEqual(
        isWebviewToHost({ type: 'submit', form: { ...f, [key]: 'a'.repeat(MAX_LENGTHS[key] + 1) } }),
        false,
        key,
      );
    }
    assert.strictEqual(isWebviewToHost({ type: 'submit', form: { ...f, voiceName: 'x'.repeat(1_000_000) } }), false);
  });

  it('rejects objects that are not plain (class instances, prototype tricks)', () => {
    class Ready {
      type = 'ready';
    }
    assert.strictEqual(isWebviewToHost(new Ready()), false);
    const inherited = Object.create({ type: 'ready' }) as object;
    assert.strictEqual(isWebviewToHost(inherited), false);
    const f = Object.assign(Object.create({ source: 'url' }) as object, { ...form() });
    delete (f as Partial<CreateFormValues>).source;
    assert.strictEqual(isWebviewToHost({ type: 'submit', form: f }), false, 'inherited source');
    assert.strictEqual(
      isWebviewToHost(JSON.parse('{"type":"ready","__proto__":{"x":1}}')),
      false,
      '__proto__ as own key',
    );
    assert.strictEqual(
      isWebviewToHost(Object.assign(Object.create(null) as object, { type: 'ready' })),
      true,
      'null-prototype object is fine',
    );
  });
});

describe('create form validation (shared by page and host)', () => {
  it('passes a complete URL form and sends only the chosen source', () => {
    const v = validateForm(form({ videoId: 'left over from another source', callbackUrl: ' ', externalTaskId: '' }));
    assert.deepStrictEqual(v.errors, {});
    assert.deepStrictEqual(v.input, { voiceName: 'Narrator', voiceUrl: 'https://example.com/a.wav' });
  });

  it('sends the video id only for the video source', () => {
    const v = validateForm(
      form({ source: 'video', videoId: ' 8830 ', callbackUrl: 'https://cb.example/x', externalTaskId: 'job-1' }),
    );
    assert.deepStrictEqual(v.input, {
      voiceName: 'Narrator',
      videoId: '8830',
      callbackUrl: 'https://cb.example/x',
      externalTaskId: 'job-1',
    });
  });

  it('puts each error next to its field', () => {
    const v = validateForm({
      voiceName: 'x'.repeat(21),
      source: 'url',
      voiceUrl: 'ftp://h/a.wav',
      videoId: '',
      callbackUrl: 'nope',
      externalTaskId: 'has space',
    });
    assert.strictEqual(v.input, undefined);
    assert.match(v.errors.voiceName ?? '', /21 characters/);
    assert.match(v.errors.voiceUrl ?? '', /http/);
    assert.match(v.errors.callbackUrl ?? '', /callback URL/);
    assert.match(v.errors.externalTaskId ?? '', /spaces/);
    assert.strictEqual(v.errors.videoId, undefined);
  });

  it('counts characters, not UTF-16 units: 20 emoji are fine, 21 are not', () => {
    assert.deepStrictEqual(validateForm(form({ voiceName: '🎙'.repeat(20) })).errors, {});
    assert.ok(validateForm(form({ voiceName: '🎙'.repeat(21) })).errors.voiceName);
  });

  it('says which source field is empty', () => {
    assert.match(validateForm(form({ voiceUrl: '' })).errors.voiceUrl ?? '', /Enter the audio URL/);
    assert.match(validateForm(form({ source: 'video', videoId: '' })).errors.videoId ?? '', /video/);
  });

  it('the local-file source needs a chosen file the host found usable', () => {
    const none = validateForm(form({ source: 'file' }));
    assert.strictEqual(none.input, undefined);
    assert.strictEqual(none.errors.file, NO_FILE_CHOSEN);
    const refused = validateForm(form({ source: 'file' }), { usable: false, problem: 'long.wav is 41.0 s long' });
    assert.strictEqual(refused.errors.file, 'long.wav is 41.0 s long');
    const ok = validateForm(form({ source: 'file', voiceUrl: 'ignored' }), { usable: true });
    assert.deepStrictEqual(ok.errors, {});
    assert.deepStrictEqual(ok.input, { voiceName: 'Narrator' }, 'the URL comes from the upload, not from the form');
  });

  it('warns about an unusual URL extension without blocking', () => {
    const v = validateForm(form({ voiceUrl: 'https://example.com/a.ogg' }));
    assert.ok(v.input);
    assert.match(v.warnings.voiceUrl ?? '', /\.ogg/);
  });

  it('formToInput trims and leaves empty optional fields out', () => {
    assert.deepStrictEqual(formToInput(form({ voiceName: '  A  ', voiceUrl: ' https://e.x/a.mp3 ' })), {
      voiceName: 'A',
      voiceUrl: 'https://e.x/a.mp3',
    });
  });
});
