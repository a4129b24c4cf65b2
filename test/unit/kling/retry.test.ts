import * as assert from 'assert';
import { backoffDelay } from '../../../src/kling';

describe('backoff', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  it('grows exponentially, is capped, and jitters within [cap/2, cap]', () => {
    assert.strictEqual(
      backoffDelay(1, policy, () => 1),
      100,
    );
    assert.strictEqual(
      backoffDelay(2, policy, () => 1),
      200,
    );
    assert.strictEqual(
      backoffDelay(3, policy, () => 0),
      200,
    );
    assert.strictEqual(
      backoffDelay(10, policy, () => 1),
      1000,
    );
  });
  it('starts at one second or more for 1303', () => {
    assert.ok(backoffDelay(1, policy, () => 1, 1303) >= 1000);
    assert.ok(backoffDelay(1, policy, () => 0, 1303) >= 500);
  });
});
