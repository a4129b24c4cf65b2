import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KlingError, normalizeBaseUrl } from '../../../src/kling';
import { shellQuote, snippetText, videoRequestBody } from '../../../src/library/snippet';

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

  describe('a base URL or a name that tries to end the quoting runs nothing (issue 10, row 3)', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kling-snippet-'));
      // A curl on PATH that only writes down the arguments it got, NUL-separated.
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.writeFileSync(path.join(dir, 'bin', 'curl'), `#!/bin/sh\nprintf '%s\\0' "$@" > "${dir}/args"\n`, {
        mode: 0o755,
      });
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('normalizeBaseUrl refuses a path with a quote and a command substitution, as invalidInput', () => {
      for (const bad of [
        "https://host.test/kling'$(touch pwned)'",
        "http://127.0.0.1:8787/k'$(touch pwned)'",
        'https://host.test/kling`touch pwned`',
        'https://host.test/kling"$(id)"',
      ]) {
        assert.throws(
          () => normalizeBaseUrl(bad),
          (e: unknown) => e instanceof KlingError && e.kind === 'invalidInput' && /apiBaseUrl/.test(e.message),
          bad,
        );
      }
      assert.strictEqual(normalizeBaseUrl('https://api.chainhub.tech/kling/'), 'https://api.chainhub.tech/kling');
    });

    it('the curl snippet, run by bash, passes the URL and the body through unchanged and executes nothing', () => {
      const pwned = path.join(dir, 'pwned');
      // snippetText gets the URL as given (defence in depth: the setting is refused before that).
      const baseUrl = `https://host.test/kling'$(touch ${pwned})'\`touch ${pwned}\`"$HOME"`;
      const hostile = { voiceId: `1'$(touch ${pwned})'`, voiceName: `O'Brien $(touch ${pwned}) \`touch ${pwned}\`` };
      const curl = snippetText(hostile, 'curl', baseUrl);
      execFileSync('bash', ['-n', '-c', curl]); // it parses
      execFileSync('bash', ['-c', curl], { env: { PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, HOME: '/home/x' } });
      assert.ok(!fs.existsSync(pwned), 'a command in the URL or the name ran');
      const args = fs.readFileSync(path.join(dir, 'args'), 'utf8').split('\0').slice(0, -1);
      assert.strictEqual(args[0], '-X');
      assert.strictEqual(args[2], `${baseUrl}/v1/videos/text2video`);
      assert.deepStrictEqual(JSON.parse(args[args.indexOf('-d') + 1]), videoRequestBody(hostile));
      assert.ok(args.includes('Authorization: Bearer '), 'the key comes from $KLING_API_KEY (unset here)');
    });

    it('shellQuote round-trips any text through bash', () => {
      for (const text of ["'", "a'b", "'$(id)'", '`id`', '$HOME', '\\', 'line\nbreak', "''''", '"\'"']) {
        const out = execFileSync('bash', ['-c', `printf %s ${shellQuote(text)}`], { encoding: 'utf8' });
        assert.strictEqual(out, text);
      }
    });
  });
});
