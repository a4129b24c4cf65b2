/**
 * The video endpoints that take a voice, accepted only far enough to check a request's shape: which voices it names
 * (`voice_list`, `contents[type=voice]`, `element_voice_id`), whether they are in the account or the presets, and
 * whether every prompt reference has a matching entry. A valid request answers like Kling (envelope with a task id);
 * no video is ever made. Shapes: kling-api.md §6 and kling-voice-2026-12.md §1.1 (the 4.0 path is an assumption).
 */
import { fail, ok, type Reply } from './reply';
import { longNumericId, type SandboxState } from './state';
import { isPlainObject } from './util';

const LEGACY = ['/v1/videos/text2video', '/v1/videos/image2video'];
/** New-standard paths: how many voices they take, and whether settings.audio must be on (V2.6's page says so). */
const NEW_STANDARD: Record<string, { maxVoices: number; needsAudio: boolean }> = {
  '/image-to-video/kling-2.6': { maxVoices: 2, needsAudio: true },
  '/omni-video/kling-4.0': { maxVoices: 3, needsAudio: false },
};
const ELEMENTS = '/v1/general/advanced-custom-elements';

export function isVideoPath(apiPath: string): boolean {
  const path = apiPath.replace(/\/+$/, '');
  return LEGACY.includes(path) || path in NEW_STANDARD || path === ELEMENTS;
}

type Check = { voiceIds: string[] } | { error: Reply };

const bad = (message: string): { error: Reply } => ({ error: fail(400, 1201, message) });

function knownVoice(state: SandboxState, id: string): boolean {
  return (
    state.voices.some((v) => v.voice_id === id) ||
    state.presets.some((p) => p.task_result.voices?.some((v) => v.voice_id === id))
  );
}

function checkLegacy(body: Record<string, unknown>, path: string): Check {
  if (body.model_name !== undefined && typeof body.model_name !== 'string') {
    return bad('model_name must be a string');
  }
  if (typeof body.prompt !== 'string' || !body.prompt.trim()) {
    return { error: fail(400, 1200, 'prompt is required') };
  }
  if (path.endsWith('image2video') && typeof body.image !== 'string') {
    return { error: fail(400, 1200, 'image is required') };
  }
  const list = body.voice_list;
  if (list === undefined) {
    return { voiceIds: [] };
  }
  if (!Array.isArray(list) || !list.every((v) => isPlainObject(v) && typeof v.voice_id === 'string' && v.voice_id)) {
    return bad('voice_list must be an array of {voice_id} with string ids');
  }
  if (list.length > 2) {
    return bad('voice_list can hold at most 2 voices');
  }
  if (list.length && body.sound !== 'on') {
    return bad('voice_list needs sound "on"');
  }
  const refs = [...body.prompt.matchAll(/<<<voice_(\d+)>>>/g)].map((m) => Number(m[1]));
  const missing = refs.find((n) => n < 1 || n > list.length);
  if (missing !== undefined) {
    return bad(`prompt refers to <<<voice_${missing}>>> but voice_list has ${list.length} voice(s)`);
  }
  return { voiceIds: list.map((v) => (v as { voice_id: string }).voice_id) };
}

function checkContents(body: Record<string, unknown>, rules: { maxVoices: number; needsAudio: boolean }): Check {
  const { maxVoices, needsAudio } = rules;
  if (body.prompt !== undefined) {
    return bad('send the prompt as a contents item, not as a top-level prompt');
  }
  const contents = body.contents;
  if (!Array.isArray(contents) || !contents.length || !contents.every(isPlainObject)) {
    return { error: fail(400, 1200, 'contents is required: an array of objects') };
  }
  const items = contents as Record<string, unknown>[];
  const voices = items.filter((c) => c.type === 'voice');
  if (!voices.every((v) => typeof v.voice_id === 'string' && v.voice_id && typeof v.id === 'string' && v.id)) {
    return bad('each voice item needs a string voice_id and a string id');
  }
  if (voices.length > maxVoices) {
    return bad(`contents can reference at most ${maxVoices} voices`);
  }
  const ids = voices.map((v) => v.id as string);
  if (new Set(ids).size !== ids.length) {
    return bad('voice item ids must be unique within the request');
  }
  const settings = isPlainObject(body.settings) ? body.settings : {};
  if (voices.length && (settings.audio === undefined || settings.audio === 'off') && needsAudio) {
    return bad('a voice cannot be used when settings.audio is off');
  }
  const text = items
    .filter((c) => c.type === 'prompt')
    .map((c) => (typeof c.text === 'string' ? c.text : ''))
    .join('\n');
  const missing = [...text.matchAll(/@([\w-]+)/g)].map((m) => m[1]).find((ref) => !ids.includes(ref));
  if (missing !== undefined && voices.length) {
    return bad(`prompt refers to @${missing} but no voice item has that id`);
  }
  return { voiceIds: voices.map((v) => v.voice_id as string) };
}

function checkElement(body: Record<string, unknown>): Check {
  if (typeof body.element_name !== 'string' || !body.element_name || body.element_name.length > 20) {
    return bad('element_name is required, at most 20 characters');
  }
  if (typeof body.element_description !== 'string' || body.element_description.length > 100) {
    return bad('element_description is required, at most 100 characters');
  }
  if (body.reference_type !== 'image_refer' && body.reference_type !== 'video_refer') {
    return bad('reference_type must be image_refer or video_refer');
  }
  const voice = body.element_voice_id;
  if (voice === undefined || voice === '') {
    return { voiceIds: [] };
  }
  return typeof voice === 'string' ? { voiceIds: [voice] } : bad('element_voice_id must be a string');
}

/** Checks a request to a video endpoint and answers like Kling: a task id, or Kling's 400/1201 with the reason. */
export function videoRoute(state: SandboxState, apiPath: string, body: unknown): Reply {
  const path = apiPath.replace(/\/+$/, '');
  if (!isPlainObject(body)) {
    return fail(400, 1200, 'invalid request body: expected a JSON object');
  }
  const check = LEGACY.includes(path)
    ? checkLegacy(body, path)
    : path === ELEMENTS
      ? checkElement(body)
      : checkContents(body, NEW_STANDARD[path]);
  if ('error' in check) {
    return check.error;
  }
  const unknown = check.voiceIds.find((id) => !knownVoice(state, id));
  if (unknown !== undefined) {
    return fail(400, 1201, `Voice id not found: ${unknown}`);
  }
  const taskId = longNumericId();
  state.videoRequests.push({ path, taskId, voiceIds: check.voiceIds, body });
  const now = Date.now();
  if (path in NEW_STANDARD) {
    // The new-standard envelope: data.id / data.status (Kling's V2.6 image-to-video page).
    return ok({ id: taskId, status: 'submitted', create_time: now, update_time: now, external_id: '' });
  }
  return ok({
    task_id: taskId,
    task_status: 'submitted',
    task_info: { external_task_id: typeof body.external_task_id === 'string' ? body.external_task_id : '' },
    created_at: now,
    updated_at: now,
  });
}
