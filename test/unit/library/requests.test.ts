import * as assert from 'assert';
import { spawn } from 'node:child_process';
import { hasCommand, ensureSystemPackages } from '../../../tools/testhost/install';
import { seedVoice, startSandbox, type Sandbox } from '../../../tools/sandbox';
import {
  buildVideoRequest,
  videoRequestText,
  videoTarget,
  VIDEO_TARGETS,
  type RequestVoice,
  type VideoTarget,
} from '../../../src/library/requests';
import { snippetText } from '../../../src/library/snippet';

const PRESET_A = { voiceId: '829301554810966001', voiceName: 'Warm Narrator' };
const PRESET_B = { voiceId: '829301554810966002', voiceName: "O'Brien" };
const PRESET_C = { voiceId: '829301554810966003', voiceName: 'Calm Storyteller' };
const three: RequestVoice[] = [PRESET_A, PRESET_B, PRESET_C];

type Body = Record<string, unknown> & {
  prompt?: string;
  voice_list?: { voice_id: string }[];
  contents?: Record<string, string>[];
  settings?: Record<string, unknown>;
};

/** What a body says about its voices: the ids, and the prompt references with the entries they must match. */
function voicesOf(body: Body): { ids: string[]; refs: string[]; entries: string[] } {
  if (body.voice_list) {
    return {
      ids: body.voice_list.map((v) => v.voice_id),
      refs: [...(body.prompt ?? '').matchAll(/<<<voice_(\d+)>>>/g)].map((m) => m[1]),
      entries: body.voice_list.map((_, i) => String(i + 1)),
    };
  }
  if (body.contents) {
    const voices = body.contents.filter((c) => c.type === 'voice');
    const text = body.contents.find((c) => c.type === 'prompt')?.text ?? '';
    return {
      ids: voices.map((v) => v.voice_id),
      refs: [...text.matchAll(/@([\w-]+)/g)].map((m) => m[1]),
      entries: voices.map((v) => v.id),
    };
  }
  return { ids: [String(body.element_voice_id)], refs: [], entries: [] };
}

describe('video requests for every model that takes a voice', () => {
  for (const target of VIDEO_TARGETS) {
    for (let n = 1; n <= target.maxVoices; n++) {
      it(`${target.id}: ${n} voice(s) → JSON that parses, names each voice once and refers to every one`, () => {
        const voices = three.slice(0, n);
        const text = videoRequestText(target, voices, 'json', 'https://x.test');
        assert.ok(text.ok);
        const body = JSON.parse(text.text) as Body;
        const { ids, refs, entries } = voicesOf(body);
        assert.deepStrictEqual(
          ids,
          voices.map((v) => v.voiceId),
        );
        if (target.id !== 'element') {
          assert.deepStrictEqual(
            [...new Set(refs)].sort(),
            [...entries].sort(),
            'each entry referred to, nothing else',
          );
        }
      });
    }
    it(`${target.id}: ${target.maxVoices + 1} voices → refused with the model's limit`, () => {
      const built = buildVideoRequest(
        target,
        [...three, { voiceId: '1', voiceName: 'x' }].slice(0, target.maxVoices + 1),
      );
      assert.ok(!built.ok);
      assert.match(built.message, target.id === 'element' ? /one voice/ : new RegExp(`at most ${target.maxVoices}`));
    });
  }

  it('V2.6 legacy: model kling-v2-6 with sound on; image-to-video carries an image', () => {
    const t2v = buildVideoRequest(videoTarget('v26-text2video')!, [PRESET_A]);
    const i2v = buildVideoRequest(videoTarget('v26-image2video')!, [PRESET_A]);
    assert.ok(t2v.ok && i2v.ok);
    assert.strictEqual(t2v.body.model_name, 'kling-v2-6');
    assert.strictEqual(t2v.body.sound, 'on');
    assert.strictEqual(typeof i2v.body.image, 'string');
  });

  it('V2.6 new standard: settings.audio is native (never off), no top-level prompt, a first frame', () => {
    const built = buildVideoRequest(videoTarget('v26-new-i2v')!, [PRESET_A, PRESET_B]);
    assert.ok(built.ok);
    const body = built.body as Body;
    assert.strictEqual(body.settings?.audio, 'native');
    assert.strictEqual(body.prompt, undefined);
    assert.ok(body.contents?.some((c) => c.type === 'first_frame'));
  });

  it('element: element_voice_id, name cut to 20 characters', () => {
    const built = buildVideoRequest(videoTarget('element')!, [
      { voiceId: '42', voiceName: 'A very long voice name indeed' },
    ]);
    assert.ok(built.ok);
    assert.strictEqual(built.body.element_voice_id, '42');
    assert.ok(String(built.body.element_name).length <= 20);
  });

  it('Kling 4.0 is marked preview, in the target and in the curl', () => {
    const k4 = videoTarget('kling4')!;
    assert.ok(k4.preview);
    assert.match(k4.description, /verify with your provider/);
    const curl = videoRequestText(k4, [PRESET_A], 'curl', 'https://x.test');
    assert.ok(curl.ok);
    assert.match(curl.text, /^# .*preview: verify with your provider/);
  });

  it('refuses no voice and the same voice twice', () => {
    const t = videoTarget('v26-text2video')!;
    assert.ok(!buildVideoRequest(t, []).ok);
    const dup = buildVideoRequest(t, [PRESET_A, PRESET_A]);
    assert.ok(!dup.ok && /twice/.test(dup.message));
  });

  it('curl never holds a key, only $KLING_API_KEY', () => {
    for (const t of VIDEO_TARGETS) {
      const curl = videoRequestText(t, [PRESET_A], 'curl', 'https://x.test/kling/');
      assert.ok(curl.ok);
      assert.match(curl.text, /Bearer \$KLING_API_KEY/);
      assert.ok(curl.text.includes(`'https://x.test/kling${t.path}'`));
    }
  });

  it('snippetText (the V2.6 text-to-video snippet) is still the legacy request with one voice', () => {
    const legacy = videoRequestText(videoTarget('v26-text2video')!, [PRESET_A], 'json', 'https://x.test');
    assert.ok(legacy.ok);
    assert.deepStrictEqual(
      (JSON.parse(snippetText(PRESET_A, 'json', 'https://x.test')) as Body).voice_list,
      (JSON.parse(legacy.text) as Body).voice_list,
    );
  });
});

describe('video requests: the curl runs in bash against the sandbox', function () {
  this.timeout(60_000);
  const KEY = 'sk-test-requests-0123456789';
  let sb: Sandbox;
  let custom: RequestVoice;

  before(async () => {
    if (!hasCommand('curl')) {
      // Installs Debian's curl as root; otherwise fails with the command to run (never a silent skip).
      await ensureSystemPackages(['curl']);
    }
    sb = await startSandbox({ apiKey: KEY, pathPrefix: '/kling' });
    custom = { voiceId: seedVoice(sb, "Mine 'quoted'").voiceId, voiceName: "Mine 'quoted'" };
  });
  after(() => sb.close());

  /** Runs the command in bash (asynchronously: the sandbox answers from this process). */
  async function runCurl(
    text: string,
    key: string | undefined,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    if (key !== undefined) {
      env.KLING_API_KEY = key;
    }
    const child = spawn('bash', ['-c', `${text} -s -w '\\n%{http_code}'`], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.strictEqual(code, 0, `bash exit ${code}: ${stderr}`);
    const lines = stdout.trimEnd().split('\n');
    const status = Number(lines.pop());
    return { status, body: JSON.parse(lines.join('\n')) as Record<string, unknown> };
  }

  for (const id of VIDEO_TARGETS.map((t) => t.id)) {
    it(`${id}: 401 with $KLING_API_KEY unset; a Kling task envelope with it set`, async () => {
      const target = videoTarget(id) as VideoTarget;
      const voices = [custom, PRESET_B, PRESET_C].slice(0, target.maxVoices);
      const text = videoRequestText(target, voices, 'curl', sb.url);
      assert.ok(text.ok);
      const before = sb.state.videoRequests.length;
      const unset = await runCurl(text.text, undefined);
      assert.strictEqual(unset.status, 401);
      assert.ok(unset.body.code === 1001 || unset.body.code === 1002, JSON.stringify(unset.body));
      assert.strictEqual(sb.state.videoRequests.length, before, 'nothing accepted without a key');

      const set = await runCurl(text.text, KEY);
      assert.strictEqual(set.status, 200, JSON.stringify(set.body));
      assert.strictEqual(set.body.code, 0);
      const data = set.body.data as Record<string, unknown>;
      assert.match(String(data.task_id ?? data.id), /^\d{18}$/);
      const accepted = sb.state.videoRequests.at(-1);
      assert.deepStrictEqual(
        accepted?.voiceIds,
        voices.map((v) => v.voiceId),
      );
    });
  }
});
