import * as assert from 'assert';
import {
  KlingError,
  isMissingEndpoint,
  parseEnvelope,
  parseJsonKeepingIds,
  parseTask,
  parseTaskList,
  redactSecrets,
} from '../../../src/kling';

function thrown(fn: () => unknown): KlingError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KlingError, `expected a KlingError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an error');
}

describe('envelope parsing', () => {
  it('an endpoint the service does not have: HTTP 404 (any body) or code 1202/1203; nothing else', () => {
    const missing = [
      thrown(() => parseEnvelope(404, '<html><body>404 Not Found</body></html>')),
      thrown(() => parseEnvelope(404, '{"code":1203,"message":"requested resource does not exist","request_id":"r"}')),
      thrown(() => parseEnvelope(404, '{"error":"no route"}')),
      thrown(() => parseEnvelope(400, '{"code":1202,"message":"invalid request method","request_id":"r"}')),
      thrown(() => parseEnvelope(200, '{"code":1203,"message":"requested resource does not exist","request_id":"r"}')),
    ];
    for (const e of missing) {
      assert.strictEqual(isMissingEndpoint(e), true, `${e.status} ${e.code}: ${e.message}`);
    }
    const others = [
      thrown(() => parseEnvelope(500, '{"code":5000,"message":"Internal server error","request_id":"r"}')),
      thrown(() => parseEnvelope(401, '{"code":1002,"message":"Authorization is invalid","request_id":"r"}')),
      thrown(() =>
        parseEnvelope(429, '{"code":1303,"message":"parallel task over resource pack limit","request_id":"r"}'),
      ),
      thrown(() => parseEnvelope(400, '{"code":1201,"message":"Voice id not found","request_id":"r"}')),
      thrown(() => parseEnvelope(502, '<html>502 Bad Gateway</html>')),
      new KlingError({ kind: 'network', message: 'ECONNREFUSED' }),
      new KlingError({ kind: 'noApiKey', message: 'no key' }),
    ];
    for (const e of others) {
      assert.strictEqual(isMissingEndpoint(e), false, `${e.status} ${e.code}: ${e.message}`);
    }
    assert.strictEqual(isMissingEndpoint(Object.assign(new Error('404'), { status: 404 })), false, 'only a KlingError');
  });

  it('returns data and request id of a success envelope', () => {
    const env = parseEnvelope(200, '{"code":0,"message":"SUCCEED","request_id":"r-1","data":{"task_id":"1"}}');
    assert.strictEqual(env.requestId, 'r-1');
    assert.deepStrictEqual(env.data, { task_id: '1' });
  });

  it('keeps ids larger than 2^53 exact even when sent as JSON numbers', () => {
    const parsed = parseJsonKeepingIds(
      '{"task_id": 930801301486305328, "task_result": {"voices": [{"voice_id":930801338081615883}]}, "created_at": 1789912000123}',
    ) as {
      task_id: string;
      task_result: { voices: { voice_id: string }[] };
      created_at: number;
    };
    assert.strictEqual(parsed.task_id, '930801301486305328');
    assert.strictEqual(parsed.task_result.voices[0].voice_id, '930801338081615883');
    assert.strictEqual(parsed.created_at, 1789912000123, 'timestamps stay numbers');
  });

  it('turns an error envelope without data into a typed error with code, status and request id', () => {
    const e = thrown(() =>
      parseEnvelope(429, '{"code":1303,"message":"parallel task over resource pack limit","request_id":"9984"}'),
    );
    assert.strictEqual(e.kind, 'api');
    assert.strictEqual(e.code, 1303);
    assert.strictEqual(e.status, 429);
    assert.strictEqual(e.requestId, '9984');
    assert.strictEqual(e.retryable, true);
    assert.match(e.message, /Too many tasks/);
  });

  it('marks 1102 and 1304 as not retryable although they are 429s', () => {
    for (const code of [1102, 1304]) {
      const e = thrown(() => parseEnvelope(429, JSON.stringify({ code, message: 'x', request_id: 'r' })));
      assert.strictEqual(e.retryable, false, `code ${code}`);
    }
    const e = thrown(() => parseEnvelope(429, '{"code":1102,"message":"Account balance not enough","request_id":"r"}'));
    assert.match(e.message, /resource pack/);
  });

  it('tells the user to set the key on 401/1002', () => {
    const e = thrown(() => parseEnvelope(401, '{"code":1002,"message":"Authorization invalid","request_id":"r"}'));
    assert.match(e.message, /Set API Key/);
  });

  it('reads a proxy-nested error (CometAPI shape)', () => {
    const text =
      '{"message":"Voice id not found","data":{"data":{"code":1201,"message":"Voice id not found","request_id":"nested-1"},"message":"Voice id not found"}}';
    const e = thrown(() => parseEnvelope(400, text));
    assert.strictEqual(e.code, 1201);
    assert.strictEqual(e.requestId, 'nested-1');
    assert.match(e.message, /Voice id not found/);
  });

  describe('secrets in what the server sends back', () => {
    const KEY = 'sk-SECRET-KEY-1234567890abcdefghijklmnop';
    const fragments = (text: string) =>
      Array.from({ length: KEY.length - 5 }, (_, i) => KEY.slice(i, i + 6)).filter((f) => text.includes(f));

    it('redacts the key before the body is cut to a snippet (a key straddling the cut)', () => {
      const body = `Bad request. ${'x'.repeat(95)} Authorization: Bearer ${KEY} end`;
      assert.ok(
        body.indexOf(KEY) < 160 && body.indexOf(KEY) + KEY.length > 160,
        'the key straddles the 160-character cut',
      );
      for (const secrets of [[KEY], []]) {
        const e = thrown(() => parseEnvelope(400, body, secrets));
        assert.deepStrictEqual(fragments(e.message), [], e.message);
        assert.match(e.message, /Authorization: Bearer \*\*\*/);
      }
      const bare = thrown(() => parseEnvelope(400, `${'y'.repeat(140)} key=${KEY}`, [KEY]));
      assert.deepStrictEqual(fragments(bare.message), [], bare.message);
    });

    it('redacts serverMessage, and what is built from it, then caps it at 300 characters', () => {
      const text = JSON.stringify({
        code: 1201,
        message: `invalid header ${KEY.slice(0, 30)}… and ${KEY} ${'z'.repeat(500)}`,
        request_id: 'r',
      });
      const e = thrown(() => parseEnvelope(400, text, [KEY]));
      assert.deepStrictEqual(fragments(e.message), []);
      assert.deepStrictEqual(fragments(e.serverMessage ?? ''), []);
      assert.ok((e.serverMessage ?? '').length <= 301);
      const http = thrown(() => parseEnvelope(403, JSON.stringify({ message: `token Bearer ${KEY} refused` }), [KEY]));
      assert.strictEqual(http.kind, 'http');
      assert.deepStrictEqual(fragments(`${http.message} ${http.serverMessage}`), []);
    });

    it('redactSecrets: the whole key, any 6+ characters of it, and Bearer/Authorization tokens of any key', () => {
      assert.strictEqual(redactSecrets(`a ${KEY} b`, [KEY]), 'a *** b');
      assert.strictEqual(redactSecrets(`cut: ${KEY.slice(3, 12)}`, [KEY]), 'cut: ***');
      assert.strictEqual(redactSecrets('Authorization: Bearer other-token-1 ok'), 'Authorization: Bearer *** ok');
      assert.strictEqual(redactSecrets('{"authorization":"Basic dXNlcjpwYXNz"}'), '{"authorization":"Basic ***"}');
      assert.strictEqual(redactSecrets('x-api-key: abc123; next'), 'x-api-key: ***; next');
      assert.strictEqual(
        redactSecrets('Kling rejected it: Authorization is invalid'),
        'Kling rejected it: Authorization is invalid',
      );
    });

    it('redactSecrets: a quoted presigned URL keeps its path and loses its query, fragment and user info', () => {
      const presigned =
        'https://s3.example.com/bucket/kling/a.wav?X-Amz-Credential=AKIA%2F20261201&X-Amz-Signature=abcdef0123456789';
      assert.strictEqual(
        redactSecrets(`voice_url ${presigned} could not be downloaded (HTTP 403).`),
        'voice_url https://s3.example.com/bucket/kling/a.wav?*** could not be downloaded (HTTP 403).',
      );
      assert.strictEqual(
        redactSecrets('see (https://user:pw@host.example/x#frag).'),
        'see (https://***@host.example/x?***).',
      );
      assert.strictEqual(
        redactSecrets('plain https://cdn.example.com/v/1.mp3, ok'),
        'plain https://cdn.example.com/v/1.mp3, ok',
      );
      // A failed task's reason quoting the URL reaches the history and the UI without the signature.
      const t = parseTask({ task_id: '1', task_status: 'failed', task_status_msg: `cannot fetch ${presigned}` });
      assert.strictEqual(t.statusMessage, 'cannot fetch https://s3.example.com/bucket/kling/a.wav?***');
      assert.strictEqual(
        redactSecrets(redactSecrets(presigned)),
        redactSecrets(presigned),
        'redacting twice changes nothing',
      );
    });
  });

  it('gives a retryable http error for a gateway HTML page', () => {
    const e = thrown(() => parseEnvelope(502, '<html><body><h1>502 Bad Gateway</h1></body></html>'));
    assert.strictEqual(e.kind, 'http');
    assert.strictEqual(e.retryable, true);
    assert.match(e.message, /HTML page/);
    assert.match(e.message, /502 Bad Gateway/);
  });

  it('rejects a 200 that only echoes the request, and a 200 HTML page', () => {
    const echo = thrown(() => parseEnvelope(200, '{"voice_name":"A","voice_url":"https://x/a.wav"}'));
    assert.strictEqual(echo.kind, 'badResponse');
    assert.match(echo.message, /echoed/);
    const html = thrown(() => parseEnvelope(200, '<!doctype html><title>Login</title>'));
    assert.strictEqual(html.kind, 'badResponse');
    const empty = thrown(() => parseEnvelope(200, ''));
    assert.strictEqual(empty.kind, 'badResponse');
  });

  it('reads a non-Kling JSON error from a gateway', () => {
    const e = thrown(() => parseEnvelope(403, '{"error":"insufficient proxy credit"}'));
    assert.strictEqual(e.kind, 'http');
    assert.match(e.message, /insufficient proxy credit/);
  });
});

describe('task parsing', () => {
  it('parses a succeeded task with voices', () => {
    const t = parseTask({
      task_id: '930801301486305328',
      task_status: 'succeed',
      task_status_msg: '',
      task_info: { external_task_id: 'vsc-7f3a' },
      task_result: {
        voices: [
          {
            voice_id: '930801338081615883',
            voice_name: 'Narrator A',
            trial_url: 'https://x/trial.wav',
            owned_by: '42',
          },
        ],
      },
      final_unit_deduction: '0.05',
      created_at: 1789912000123,
      updated_at: 1789912009100,
    });
    assert.deepStrictEqual(t, {
      taskId: '930801301486305328',
      status: 'succeed',
      externalTaskId: 'vsc-7f3a',
      voices: [
        { voiceId: '930801338081615883', voiceName: 'Narrator A', trialUrl: 'https://x/trial.wav', ownedBy: '42' },
      ],
      createdAt: 1789912000123,
      updatedAt: 1789912009100,
      unitDeduction: '0.05',
    });
  });

  it('accepts a missing or empty task_result while running', () => {
    assert.deepStrictEqual(parseTask({ task_id: '1', task_status: 'processing' }).voices, []);
    assert.deepStrictEqual(parseTask({ task_id: '1', task_status: 'submitted', task_result: {} }).voices, []);
    assert.deepStrictEqual(
      parseTask({ task_id: '1', task_status: 'processing', task_result: { voices: 'nope' } }).voices,
      [],
    );
  });

  it('keeps the failure reason, and the request id and HTTP status of the answer that reported it', () => {
    const env = parseEnvelope(
      200,
      '{"code":0,"message":"SUCCEED","request_id":"req-9","data":{"task_id":"1","task_status":"failed","task_status_msg":"audio contains multiple speakers"}}',
    );
    assert.strictEqual(env.httpStatus, 200);
    const t = parseTask(env.data, env);
    assert.strictEqual(t.statusMessage, 'audio contains multiple speakers');
    assert.strictEqual(t.requestId, 'req-9');
    assert.strictEqual(t.httpStatus, 200);
    // Only a failed task keeps them: they are for its diagnostics.
    const running = parseTask({ task_id: '2', task_status: 'processing' }, env);
    assert.strictEqual(running.requestId, undefined);
    assert.strictEqual(running.httpStatus, undefined);
    const listed = parseTaskList([{ task_id: '3', task_status: 'failed' }], { requestId: 'req-list', httpStatus: 200 });
    assert.strictEqual(listed.tasks[0].requestId, 'req-list');
  });

  it('rejects data without a task id or with an unknown status', () => {
    assert.strictEqual(thrown(() => parseTask({ task_status: 'succeed' })).kind, 'badResponse');
    assert.strictEqual(thrown(() => parseTask(undefined)).kind, 'badResponse');
    assert.match(thrown(() => parseTask({ task_id: '1', task_status: 'weird' })).message, /unknown status/);
    assert.strictEqual(parseTask({ task_id: '1', task_status: 'succeeded' }).status, 'succeed');
  });

  it('skips malformed voices and list items instead of failing the whole list', () => {
    const t = parseTask({
      task_id: '1',
      task_status: 'succeed',
      task_result: { voices: [null, { voice_name: 'no id' }, { voice_id: '7' }] },
    });
    assert.deepStrictEqual(t.voices, [{ voiceId: '7', voiceName: '' }]);
    const page = parseTaskList([{ task_id: '1', task_status: 'succeed' }, 'junk', { task_status: 'x' }]);
    assert.strictEqual(page.tasks.length, 1);
    assert.strictEqual(page.skipped, 2);
    assert.strictEqual(page.size, 3);
    assert.strictEqual(thrown(() => parseTaskList({ not: 'an array' })).kind, 'badResponse');
  });
});
