import * as assert from 'assert';
import { checkRequests } from '../../../src/library/requestCheck';
import { buildVideoRequest, VIDEO_TARGETS } from '../../../src/library/requests';

const KNOWN = new Set(['829301554810966001', '829301554810966002', '829301554810966003']);
const ctx = { isKnownVoice: (id: string) => KNOWN.has(id) };
const codes = (text: string, lang: 'json' | 'js' | 'python' = 'json') =>
  checkRequests(text, lang, ctx).map((p) => p.code);

describe('request checks (voices in Kling video requests)', () => {
  it('every generated request, with the most voices its model takes, has no problem', () => {
    for (const t of VIDEO_TARGETS) {
      const voices = [...KNOWN].slice(0, t.maxVoices).map((voiceId) => ({ voiceId, voiceName: 'n' }));
      const built = buildVideoRequest(t, voices);
      assert.ok(built.ok);
      const json = JSON.stringify(built.body, null, 2);
      assert.deepStrictEqual(checkRequests(json, 'json', ctx), [], t.id);
    }
  });

  it('voice_list: three voices, and <<<voice_3>>> with two', () => {
    const text = JSON.stringify({
      prompt: '<<<voice_1>>> and <<<voice_3>>>',
      voice_list: [...KNOWN].map((voice_id) => ({ voice_id })),
    });
    assert.deepStrictEqual(codes(text), ['tooManyVoices']);
    const two = JSON.stringify({
      prompt: '<<<voice_1>>> and <<<voice_3>>>',
      voice_list: [...KNOWN].slice(0, 2).map((voice_id) => ({ voice_id })),
    });
    const p = checkRequests(two, 'json', ctx);
    assert.deepStrictEqual(
      p.map((x) => x.code),
      ['unknownReference'],
    );
    assert.strictEqual(two.slice(p[0].start, p[0].end), '<<<voice_3>>>');
  });

  it('an unknown voice id is named (only when the lists are known)', () => {
    const text = `{"voice_list": [{"voice_id": "123456789012345678"}], "prompt": "<<<voice_1>>>"}`;
    const p = checkRequests(text, 'json', ctx);
    assert.deepStrictEqual(
      p.map((x) => x.code),
      ['unknownVoice'],
    );
    assert.strictEqual(text.slice(p[0].start, p[0].end), '123456789012345678');
    assert.deepStrictEqual(checkRequests(text, 'json', {}), []);
  });

  it('contents: @narrator with no such id gets a fix to the only id; audio off gets "native"', () => {
    const text = `{
  "contents": [
    {"type": "prompt", "text": "@narrator whispers"},
    {"type": "voice", "voice_id": "829301554810966001", "id": "1"}
  ],
  "settings": {"audio": "off"}
}`;
    const p = checkRequests(text, 'json', ctx);
    assert.deepStrictEqual(
      p.map((x) => x.code),
      ['unknownReference', 'audioOff'],
    );
    assert.strictEqual(p[0].fix?.newText, '@1');
    assert.strictEqual(text.slice(p[0].fix!.start, p[0].fix!.end), '@narrator');
    assert.strictEqual(text.slice(p[1].fix!.start, p[1].fix!.end), 'off');
  });

  it('contents: three voices are too many for V2.6, fine for Kling 4.0', () => {
    const items = [...KNOWN].map((voice_id, i) => `{"type": "voice", "voice_id": "${voice_id}", "id": "${i + 1}"}`);
    const body = `{"contents": [{"type": "prompt", "text": "@1 @2 @3"}, ${items.join(', ')}], "settings": {"audio": "native"}}`;
    assert.deepStrictEqual(codes(body), ['tooManyVoices']);
    assert.deepStrictEqual(codes(`url = "https://x/omni-video/kling-4.0"\nbody = ${body}`, 'python'), []);
    // Without settings.audio (V2.6 needs it with a voice) the body reads as Kling 4.0: four voices are still too many.
    const four = [...items, `{"type": "voice", "voice_id": "${[...KNOWN][0]}", "id": "4"}`];
    assert.deepStrictEqual(codes(`{"contents": [${items.join(', ')}]}`), []);
    assert.deepStrictEqual(codes(`{"contents": [${four.join(', ')}]}`), ['tooManyVoices']);
  });

  it('JS and Python sources: keys without quotes, comments with apostrophes, element_voice_id', () => {
    const js = `// don't forget the voice
const body = { prompt: 'Hi <<<voice_2>>>', voice_list: [{ voice_id: '829301554810966001' }] };
const el = { element_voice_id: '999999999999' };`;
    assert.deepStrictEqual(codes(js, 'js'), ['unknownReference', 'unknownVoice']);
    const py = `# it's a request
body = {"prompt": "<<<voice_1>>>", "voice_list": [{"voice_id": "829301554810966002"}]}`;
    assert.deepStrictEqual(codes(py, 'python'), []);
  });

  it('text that is no request, or broken text, gives nothing and never throws', () => {
    assert.deepStrictEqual(codes('hello'), []);
    assert.deepStrictEqual(codes('{"voice_list": [{"voice_id": "1'), []);
    assert.deepStrictEqual(codes('"contents": [ {"type": "voice"'), []);
  });
});
