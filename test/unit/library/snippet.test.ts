import * as assert from 'assert';
import { snippetText, videoRequestBody } from '../../../src/library/snippet';

describe('video request snippet', () => {
  const voice = { voiceId: '930801338081615883', voiceName: "O'Brien" };

  it('is a V2.6 request with sound whose prompt names the voice as <<<voice_1>>>', () => {
    const body = videoRequestBody(voice) as {
      model_name: string;
      sound: string;
      prompt: string;
      voice_list: { voice_id: string }[];
    };
    assert.strictEqual(body.model_name, 'kling-v2-6');
    assert.strictEqual(body.sound, 'on');
    assert.deepStrictEqual(body.voice_list, [{ voice_id: '930801338081615883' }]);
    assert.match(body.prompt, /<<<voice_1>>>/);
    assert.deepStrictEqual(JSON.parse(snippetText(voice, 'json', 'https://x.test/kling')), body);
  });

  it('curl: posts to the base URL, reads the key from the environment, and quotes the body for the shell', () => {
    const curl = snippetText(voice, 'curl', 'https://api.chainhub.tech/kling/');
    assert.match(curl, /^curl -X POST 'https:\/\/api\.chainhub\.tech\/kling\/v1\/videos\/text2video'/);
    assert.match(curl, /Bearer \$KLING_API_KEY/);
    // The apostrophe in the name is closed, escaped and reopened, so the shell sees the JSON unchanged.
    const quoted = /-d '([\s\S]*)'$/.exec(curl)?.[1] ?? '';
    const unquoted = quoted.replace(/'\\''/g, "'");
    assert.deepStrictEqual(JSON.parse(unquoted), videoRequestBody(voice));
  });
});
