import * as assert from 'assert';
import {
  emptyForm,
  formToInput,
  noFileChosen,
  validateForm,
  type CreateFormValues,
} from '../../../src/shared/createForm';

function form(overrides: Partial<CreateFormValues> = {}): CreateFormValues {
  return { ...emptyForm(), voiceName: 'Narrator', voiceUrl: 'https://example.com/a.wav', ...overrides };
}

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
    assert.strictEqual(none.errors.file, noFileChosen());
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
