/** The sandbox's video endpoints: they check the shape of requests that use a voice and answer like Kling. */
import * as assert from 'node:assert/strict';
import { seedVoice, startSandbox, type Sandbox } from '../../tools/sandbox';

const PRESET = '829301554810966001';
const PRESET_2 = '829301554810966002';
const PRESET_3 = '829301554810966003';

describe('sandbox: video endpoints that take a voice', () => {
  let sb: Sandbox;
  let mine: string;

  before(async () => {
    sb = await startSandbox();
  });
  after(() => sb.close());
  beforeEach(() => {
    sb.reset();
    mine = seedVoice(sb, 'Mine').voiceId;
  });

  async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${sb.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer x' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  const legacy = (voiceIds: string[], prompt: string, extra: Record<string, unknown> = {}) => ({
    model_name: 'kling-v2-6',
    prompt,
    sound: 'on',
    voice_list: voiceIds.map((voice_id) => ({ voice_id })),
    ...extra,
  });

  it('text2video: two voices referred to as <<<voice_1>>> and <<<voice_2>>> → a submitted task', async () => {
    const r = await post('/v1/videos/text2video', legacy([mine, PRESET], '<<<voice_1>>> hi. <<<voice_2>>> hello.'));
    assert.equal(r.status, 200);
    assert.equal(r.json.code, 0);
    assert.equal(r.json.message, 'SUCCEED');
    const data = r.json.data as Record<string, unknown>;
    assert.equal(data.task_status, 'submitted');
    assert.match(String(data.task_id), /^\d{18}$/);
    assert.deepEqual(sb.state.videoRequests.at(-1)?.voiceIds, [mine, PRESET]);
  });

  const refusals: [string, string, unknown, RegExp][] = [
    ['three voices in voice_list', '/v1/videos/text2video', legacy([PRESET_3, PRESET, PRESET_2], 'x'), /at most 2/],
    ['<<<voice_3>>> with two voices', '/v1/videos/text2video', legacy([PRESET_3, PRESET], '<<<voice_3>>>'), /voice_3/],
    ['sound off with voices', '/v1/videos/text2video', legacy([PRESET_3], 'x', { sound: 'off' }), /sound/],
    ['an unknown voice id', '/v1/videos/text2video', legacy(['123456789012345678'], 'x'), /Voice id not found/],
    ['image2video without image', '/v1/videos/image2video', legacy([PRESET_3], '<<<voice_1>>>'), /image/],
    [
      'new standard: audio off with a voice',
      '/image-to-video/kling-2.6',
      {
        contents: [
          { type: 'prompt', text: '@1 talks' },
          { type: 'voice', voice_id: PRESET, id: '1' },
        ],
        settings: { audio: 'off' },
      },
      /audio/,
    ],
    [
      'new standard: @narrator with no such voice item',
      '/image-to-video/kling-2.6',
      {
        contents: [
          { type: 'prompt', text: '@narrator talks' },
          { type: 'voice', voice_id: PRESET, id: '1' },
        ],
        settings: { audio: 'native' },
      },
      /@narrator/,
    ],
    [
      'Kling 4.0: four voices',
      '/omni-video/kling-4.0',
      { contents: [1, 2, 3, 4].map((i) => ({ type: 'voice', voice_id: PRESET, id: String(i) })) },
      /at most 3/,
    ],
    [
      'Kling 4.0: a top-level prompt with contents',
      '/omni-video/kling-4.0',
      { prompt: 'x', contents: [{ type: 'voice', voice_id: PRESET, id: 'a' }] },
      /top-level prompt/,
    ],
    [
      'element: unknown element_voice_id',
      '/v1/general/advanced-custom-elements',
      { element_name: 'Hero', element_description: 'd', reference_type: 'image_refer', element_voice_id: '99' },
      /Voice id not found/,
    ],
  ];
  for (const [what, path, body, reason] of refusals) {
    it(`refuses ${what} with Kling's 400/1201 and the reason`, async () => {
      const r = await post(path, body);
      assert.equal(r.status, 400);
      assert.ok(r.json.code === 1201 || r.json.code === 1200, JSON.stringify(r.json));
      assert.match(String(r.json.message), reason);
      assert.equal(sb.state.videoRequests.length, 0);
    });
  }

  it('new standard: answers with the new envelope (data.id, data.status)', async () => {
    const r = await post('/image-to-video/kling-2.6', {
      contents: [
        { type: 'prompt', text: '@1 and @2 talk' },
        { type: 'voice', voice_id: mine, id: '1' },
        { type: 'voice', voice_id: PRESET, id: '2' },
      ],
      settings: { audio: 'native' },
    });
    assert.equal(r.status, 200);
    const data = r.json.data as Record<string, unknown>;
    assert.equal(data.status, 'submitted');
    assert.match(String(data.id), /^\d{18}$/);
  });

  it('element: element_voice_id of an own voice → a task', async () => {
    const r = await post('/v1/general/advanced-custom-elements', {
      element_name: 'Hero',
      element_description: 'A hero',
      reference_type: 'image_refer',
      element_voice_id: mine,
    });
    assert.equal(r.status, 200);
    assert.equal((r.json.data as Record<string, unknown>).task_status, 'submitted');
  });

  it('a deleted voice is unknown again; GET on a video path is a wrong method', async () => {
    await post('/v1/general/delete-voices', { voice_id: mine });
    const r = await post('/v1/videos/text2video', legacy([mine], '<<<voice_1>>>'));
    assert.match(String(r.json.message), /Voice id not found/);
    const get = await fetch(`${sb.url}/v1/videos/text2video`);
    assert.equal(get.status, 404);
    assert.equal(((await get.json()) as { code: number }).code, 1202);
  });
});
