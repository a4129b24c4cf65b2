import * as assert from 'assert';
import { KlingError } from '../../../src/kling';
import { UploadError } from '../../../src/upload/types';
import { buildFailureReport } from '../../../src/shared/failureReport';

const versions = { extensionVersion: '0.1.0', vscodeVersion: '1.100.3' };

describe('Copy Diagnostics: the failure report', () => {
  it('a refused create (1102): HTTP status, Kling code, request id, host only, versions', () => {
    const e = new KlingError({
      kind: 'api',
      status: 429,
      code: 1102,
      requestId: 'req-abc',
      message: 'Your Kling resource pack is used up.',
      serverMessage: 'Account balance not enough',
    });
    const text = buildFailureReport({
      what: 'Create refused',
      error: e,
      baseUrl: 'https://api.chainhub.tech/kling?token=abc123secret',
      ...versions,
      now: new Date(0),
    });
    for (const line of [
      'What: Create refused',
      'HTTP status: 429',
      'Kling code: 1102',
      'Request id: req-abc',
      'Server message: Account balance not enough',
      'Service host: api.chainhub.tech',
      'Extension version: 0.1.0',
      'VS Code version: 1.100.3',
    ]) {
      assert.ok(text.split('\n').includes(line), `missing "${line}" in\n${text}`);
    }
    assert.ok(!text.includes('abc123secret'));
    assert.ok(!text.includes('/kling'), 'only the host of the base URL');
  });

  it('a failed task: the raw task_status_msg verbatim, task and external ids, the request id and HTTP status', () => {
    const text = buildFailureReport({
      what: 'Task failed',
      task: {
        taskId: '900000000000000001',
        status: 'failed',
        statusMessage: 'Audio duration invalid: 3.2s',
        externalTaskId: 'ext-1',
        requestId: 'req-poll-7',
        httpStatus: 200,
      },
      ...versions,
    });
    assert.match(text, /^task_status_msg \(verbatim\): Audio duration invalid: 3\.2s$/m);
    assert.match(text, /^Task id: 900000000000000001$/m);
    assert.match(text, /^External task id: ext-1$/m);
    assert.match(text, /^Request id: req-poll-7$/m, 'of the answer that reported the failure');
    assert.match(text, /^HTTP status: 200$/m);
    assert.strictEqual(text.match(/^Request id:/gm)?.length, 1);
  });

  it("an error's own request id and status win over the task's (the request that failed is the one to look up)", () => {
    const text = buildFailureReport({
      what: 'Check failed',
      error: new KlingError({ kind: 'api', status: 400, code: 1201, requestId: 'req-error', message: 'unknown' }),
      task: { taskId: '1', status: 'failed', requestId: 'req-task', httpStatus: 200 },
      ...versions,
    });
    assert.match(text, /^Request id: req-error$/m);
    assert.match(text, /^HTTP status: 400$/m);
    assert.doesNotMatch(text, /req-task/);
  });

  it("a failed task's request id that quotes a presigned link or the key loses them", () => {
    const key = 'sk-live-feedface0123';
    const text = buildFailureReport({
      what: 'Task failed',
      task: { taskId: '1', status: 'failed', requestId: `r-${key}-https://s3.example.com/a.wav?X-Amz-Signature=beef` },
      secrets: [key],
      ...versions,
    });
    assert.ok(!text.includes(key.slice(4)), text);
    assert.ok(!/X-Amz|beef/.test(text), text);
  });

  it('never the key, a Bearer token, upload credentials or a presigned query', () => {
    const key = 'sk-live-0123456789abcdef';
    const e = new UploadError(
      `PUT https://bucket.s3.example.com/a.wav?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIAEXAMPLE failed; Authorization: Bearer ${key}`,
      { status: 403 },
    );
    const text = buildFailureReport({
      what: 'Upload failed',
      error: e,
      secrets: [key, 'AKIAEXAMPLE'],
      sample: {
        duration: '12.4 s',
        peak: '-1.2 dBFS',
        url: 'https://bucket.s3.example.com/a.wav?X-Amz-Signature=feed',
      },
      ...versions,
    });
    assert.ok(!text.includes(key.slice(4)), text);
    assert.ok(!/deadbeef|feed|AKIAEXAMPLE|X-Amz/.test(text), text);
    assert.match(text, /^HTTP status: 403$/m);
    assert.match(text, /^Error kind: upload$/m);
    assert.match(text, /^Sample duration: 12\.4 s$/m);
  });

  it('anything thrown (a string, undefined, an odd object) still gives a report', () => {
    assert.match(buildFailureReport({ what: 'x', error: 'boom', ...versions }), /Message: boom/);
    assert.match(buildFailureReport({ what: 'x', error: { kind: { nested: 1 } }, ...versions }), /What: x/);
    assert.match(
      buildFailureReport({ what: 'x', baseUrl: 'not a url', ...versions }),
      /Service host: \(not a valid URL\)/,
    );
  });
});
