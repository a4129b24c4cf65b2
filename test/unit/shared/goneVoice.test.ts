import * as assert from 'assert';
import { isGoneVoice, type AccountSnapshot } from '../../../src/shared/goneVoice';

describe('gone voices (not in the account any more)', () => {
  const entry = { taskId: 't1', status: 'succeed', voices: [{ voiceId: '111111111111' }], updatedAt: 1000 };
  const account = (taskIds: string[], voiceIds: string[], requestedAt = 2000): AccountSnapshot => ({
    taskIds: new Set(taskIds),
    voiceIds: new Set(voiceIds),
    requestedAt,
  });

  it('is gone when a later successful list holds neither its task nor its voice', () => {
    assert.strictEqual(isGoneVoice(entry, account(['t2'], ['222222222222'])), true);
    assert.strictEqual(isGoneVoice(entry, account([], [])), true, 'an empty account list');
  });

  it('is not gone without a successful list (no list endpoint, an error, not loaded yet)', () => {
    assert.strictEqual(isGoneVoice(entry, undefined), false);
  });

  it('is not gone while listed (by task or by voice id), nor when the list predates the voice', () => {
    assert.strictEqual(isGoneVoice(entry, account(['t1'], [])), false);
    assert.strictEqual(isGoneVoice(entry, account([], ['111111111111'])), false);
    assert.strictEqual(isGoneVoice(entry, account([], [], 1000)), false, 'requested when the task had just ended');
    assert.strictEqual(isGoneVoice(entry, account([], [], 500)), false, 'requested before the task ended');
  });

  it('only succeeded tasks with a voice can be gone; presets never are', () => {
    assert.strictEqual(isGoneVoice({ ...entry, status: 'processing' }, account([], [])), false);
    assert.strictEqual(isGoneVoice({ ...entry, status: 'failed' }, account([], [])), false);
    assert.strictEqual(isGoneVoice({ ...entry, voices: [] }, account([], [])), false);
    assert.strictEqual(isGoneVoice(entry, account([], []), new Set(['111111111111'])), false);
  });
});
