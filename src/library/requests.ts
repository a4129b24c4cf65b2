import * as l10n from '@vscode/l10n';
import type { Voice } from '../kling';
import { shellQuote } from './snippet';

/**
 * Ready requests that speak with one or more voices, for every Kling model that takes a voice_id.
 *
 * Field names follow Kling's pages as stored in the project notes (kling-api.md §6, kling-voice-2026-12.md §1.1):
 * - V2.6 legacy `/v1/videos/text2video` and `/v1/videos/image2video`: `voice_list` (at most 2), `<<<voice_N>>>`;
 * - V2.6 new standard `/image-to-video/kling-2.6`: `contents[{type:"voice", voice_id, id}]` (at most 2), `@id` in the
 *   prompt item, `settings.audio` must not be `off` (Kling's image-to-video page: `native`, 1080p only);
 * - elements `/v1/general/advanced-custom-elements`: `element_voice_id` (one voice per element; 3.0 Omni / O1 use it);
 * - Kling 4.0: `contents[{type:"voice", id, voice_id}]` (at most 3, `@id`). PREVIEW: known only from third parties
 *   (Comfy Router, PiAPI); the path below is an assumption modelled on the new-standard paths. Verify with your provider.
 */
export type VideoTargetId = 'v26-text2video' | 'v26-image2video' | 'v26-new-i2v' | 'element' | 'kling4';

export interface VideoTarget {
  id: VideoTargetId;
  /** Shown to people: a getter, so it is read in the display language (after l10n.config). */
  readonly label: string;
  readonly description: string;
  /** Path appended to the base URL. */
  path: string;
  maxVoices: number;
  /** Known only from third-party sources: shown as "preview: verify with your provider". */
  preview: boolean;
}

export const PREVIEW_NOTE = () => l10n.t('preview: verify with your provider');

export const VIDEO_TARGETS: readonly VideoTarget[] = [
  {
    id: 'v26-text2video',
    get label() {
      return l10n.t('Kling V2.6 text-to-video (legacy API)');
    },
    get description() {
      return l10n.t('voice_list, <<<voice_N>>>, up to 2 voices');
    },
    path: '/v1/videos/text2video',
    maxVoices: 2,
    preview: false,
  },
  {
    id: 'v26-image2video',
    get label() {
      return l10n.t('Kling V2.6 image-to-video (legacy API)');
    },
    get description() {
      return l10n.t('voice_list, <<<voice_N>>>, up to 2 voices');
    },
    path: '/v1/videos/image2video',
    maxVoices: 2,
    preview: false,
  },
  {
    id: 'v26-new-i2v',
    get label() {
      return l10n.t('Kling V2.6 image-to-video (new standard API)');
    },
    get description() {
      return l10n.t('contents type "voice", @id, up to 2 voices');
    },
    path: '/image-to-video/kling-2.6',
    maxVoices: 2,
    preview: false,
  },
  {
    id: 'element',
    get label() {
      return l10n.t('Element with a voice (for Kling 3.0 / Omni)');
    },
    get description() {
      return l10n.t('advanced-custom-elements, element_voice_id, 1 voice per element');
    },
    path: '/v1/general/advanced-custom-elements',
    maxVoices: 1,
    preview: false,
  },
  {
    id: 'kling4',
    get label() {
      return l10n.t('Kling 4.0 (preview)');
    },
    get description() {
      return l10n.t('contents type "voice", @id, up to 3 voices — {0}', PREVIEW_NOTE());
    },
    // UNCERTAIN: no official Kling 4.0 page was available; modelled on /omni-video/kling-3.0-omni.
    path: '/omni-video/kling-4.0',
    maxVoices: 3,
    preview: true,
  },
];

export function videoTarget(id: string): VideoTarget | undefined {
  return VIDEO_TARGETS.find((t) => t.id === id);
}

export type RequestVoice = Pick<Voice, 'voiceId' | 'voiceName'>;

export type BuiltRequest =
  | { ok: true; target: VideoTarget; body: Record<string, unknown> }
  | { ok: false; target: VideoTarget; message: string };

/** Placeholder image the user replaces (image-to-video needs a first frame). */
export const IMAGE_PLACEHOLDER = 'https://example.com/first-frame.png';

function speakerName(v: RequestVoice, index: number): string {
  return v.voiceName || `speaker ${index + 1}`;
}

/** One line of dialogue per voice, each naming the voice by `ref(i)`. */
function dialogue(voices: readonly RequestVoice[], ref: (i: number) => string): string {
  const lines = voices.map((v, i) => `${ref(i)} says: "Hello, this is ${speakerName(v, i)}."`);
  const who = voices.length === 1 ? 'A presenter looks into the camera.' : 'People take turns speaking to the camera.';
  return [who, ...lines].join(' ');
}

function legacyBody(voices: readonly RequestVoice[], image: boolean): Record<string, unknown> {
  return {
    model_name: 'kling-v2-6',
    ...(image ? { image: IMAGE_PLACEHOLDER } : {}),
    prompt: dialogue(voices, (i) => `<<<voice_${i + 1}>>>`),
    sound: 'on',
    voice_list: voices.map((v) => ({ voice_id: v.voiceId })),
    duration: '5',
    ...(image ? {} : { aspect_ratio: '16:9' }),
  };
}

function contentsBody(voices: readonly RequestVoice[], kling4: boolean): Record<string, unknown> {
  const ids = voices.map((_, i) => String(i + 1));
  return {
    contents: [
      { type: 'prompt', text: dialogue(voices, (i) => `@${ids[i]}`) },
      { type: 'first_frame', url: IMAGE_PLACEHOLDER },
      // Kling's page lists {type, voice_id, id}; Comfy Router's 4.0 page {type, id, voice_id}: same fields.
      ...voices.map((v, i) => ({ type: 'voice', voice_id: v.voiceId, id: ids[i] })),
    ],
    // native audio is 1080p only (Kling's V2.6 image-to-video page); 4.0's settings are known from Comfy Router only.
    settings: kling4 ? { duration: 5, resolution: '1080p' } : { audio: 'native', resolution: '1080p', duration: 5 },
  };
}

function elementBody(voice: RequestVoice): Record<string, unknown> {
  const name = (voice.voiceName || 'Speaker').slice(0, 20);
  return {
    element_name: name,
    element_description: `A character who speaks with the voice ${name}`.slice(0, 100),
    reference_type: 'image_refer',
    element_image_list: {
      frontal_image: 'https://example.com/character-front.png',
      refer_images: [{ image_url: 'https://example.com/character-side.png' }],
    },
    element_voice_id: voice.voiceId,
    tag_list: [{ tag_id: 'o_102' }],
  };
}

/** The body of a request for `target` with these voices, or why it cannot be built (none, too many, duplicates). */
export function buildVideoRequest(target: VideoTarget, voices: readonly RequestVoice[]): BuiltRequest {
  if (!voices.length) {
    return { ok: false, target, message: l10n.t('Pick at least one voice.') };
  }
  const unique = new Set(voices.map((v) => v.voiceId));
  if (unique.size !== voices.length) {
    return { ok: false, target, message: l10n.t('The same voice was picked twice; pick each voice once.') };
  }
  if (voices.length > target.maxVoices) {
    const message =
      target.id === 'element'
        ? l10n.t(
            'An element binds one voice (element_voice_id), and {0} were picked: create one element per voice.',
            voices.length,
          )
        : target.maxVoices < 3
          ? l10n.t(
              '{0} takes at most {1} voices in one request, and {2} were picked. Pick {1} or fewer, or choose Kling 4.0 (up to 3, preview).',
              target.label,
              target.maxVoices,
              voices.length,
            )
          : l10n.t(
              '{0} takes at most {1} voices in one request, and {2} were picked. Pick {1} or fewer.',
              target.label,
              target.maxVoices,
              voices.length,
            );
    return { ok: false, target, message };
  }
  switch (target.id) {
    case 'v26-text2video':
      return { ok: true, target, body: legacyBody(voices, false) };
    case 'v26-image2video':
      return { ok: true, target, body: legacyBody(voices, true) };
    case 'v26-new-i2v':
      return { ok: true, target, body: contentsBody(voices, false) };
    case 'kling4':
      return { ok: true, target, body: contentsBody(voices, true) };
    case 'element':
      return { ok: true, target, body: elementBody(voices[0]) };
  }
}

export type RequestFormat = 'json' | 'curl';

export type RequestText = { ok: true; text: string } | { ok: false; message: string };

/**
 * The request as a JSON body or a curl command. The key is never written: curl reads it from $KLING_API_KEY.
 * A preview target's curl starts with a comment line saying so (bash ignores it).
 */
export function videoRequestText(
  target: VideoTarget,
  voices: readonly RequestVoice[],
  format: RequestFormat,
  baseUrl: string,
): RequestText {
  const built = buildVideoRequest(target, voices);
  if (!built.ok) {
    return { ok: false, message: built.message };
  }
  const json = JSON.stringify(built.body, null, 2);
  if (format === 'json') {
    return { ok: true, text: json };
  }
  const url = `${baseUrl.replace(/\/+$/, '')}${target.path}`;
  const lines = [
    ...(target.preview
      ? [
          // The request text (its comments and example prompt included) stays English: it is code sent to Kling.
          `# Kling 4.0 request (preview: verify with your provider: the path and fields come from third-party pages)`,
        ]
      : []),
    `curl -X POST ${shellQuote(url)} \\`,
    `  -H "Authorization: Bearer $KLING_API_KEY" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(json)}`,
  ];
  return { ok: true, text: lines.join('\n') };
}
