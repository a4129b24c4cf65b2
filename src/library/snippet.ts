import type { Voice } from '../kling';

export type SnippetFormat = 'json' | 'curl';

/**
 * A ready request for Kling V2.6 text-to-video with sound that speaks with the given voice
 * (kling-api.md §6.1): `voice_list` holds the id and the prompt names it `<<<voice_1>>>`.
 * The key is never inserted; curl reads it from $KLING_API_KEY.
 */
export function videoRequestBody(voice: Pick<Voice, 'voiceId' | 'voiceName'>): Record<string, unknown> {
  return {
    model_name: 'kling-v2-6',
    prompt: `A presenter looks into the camera. <<<voice_1>>> says: "Hello, this is ${voice.voiceName || 'my custom voice'}."`,
    sound: 'on',
    voice_list: [{ voice_id: voice.voiceId }],
    duration: '5',
    aspect_ratio: '16:9',
  };
}

export function snippetText(
  voice: Pick<Voice, 'voiceId' | 'voiceName'>,
  format: SnippetFormat,
  baseUrl: string,
): string {
  const json = JSON.stringify(videoRequestBody(voice), null, 2);
  if (format === 'json') {
    return json;
  }
  const body = json.replace(/'/g, `'\\''`);
  return [
    `curl -X POST '${baseUrl.replace(/\/+$/, '')}/v1/videos/text2video' \\`,
    `  -H "Authorization: Bearer $KLING_API_KEY" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${body}'`,
  ].join('\n');
}
