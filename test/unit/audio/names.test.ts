import * as assert from 'assert';

import { uniqueVoiceNames, voiceNameFromFile } from '../../../src/audio';

describe('audio: names from file names', () => {
  it('drops the extension and separators and keeps 20 characters', () => {
    assert.strictEqual(voiceNameFromFile('/a/b/narrator_take-2.wav'), 'narrator take 2');
    assert.strictEqual(voiceNameFromFile('C:\\rec\\My very long recording name here.mp3'), 'My very long recordi');
    assert.strictEqual(voiceNameFromFile('__.wav'), 'Voice');
    assert.strictEqual(
      voiceNameFromFile('声音样本声音样本声音样本声音样本声音样本声音样本.wav'),
      '声音样本声音样本声音样本声音样本声音样本',
    );
  });

  it('makes names unique and ≤ 20 characters, also against names already taken', () => {
    const names = uniqueVoiceNames(
      [
        'a/Interview.wav',
        'b/interview.wav',
        'c/Interview.mp3',
        'A very long speaker name 1.wav',
        'A very long speaker name 2.wav',
      ],
      ['Interview'],
    );
    assert.deepStrictEqual(names, [
      'Interview 2',
      'interview 3',
      'Interview 4',
      'A very long speaker',
      'A very long speake 2',
    ]);
    assert.ok(names.every((n) => Array.from(n).length <= 20));
  });
});
