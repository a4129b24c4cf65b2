import * as assert from 'assert';
import {
  buildNotesFile,
  noteSummary,
  parseNotesFile,
  parseTags,
  validNote,
  type VoiceNote,
} from '../../../src/shared/voiceNotes';
import type { ConsentRecord } from '../../../src/shared/consent';

const note: VoiceNote = {
  voiceId: '800000000000000001',
  voiceName: 'Narrator',
  notes: 'Calm, warm.\nFor the product videos.',
  tags: ['en', 'female', 'narration'],
  updatedAt: Date.parse('2026-03-02T09:00:00Z'),
};
const consent: ConsentRecord = {
  statement: "I have the speaker's permission to clone this voice for videos made with Kling.",
  acceptedAt: '2026-03-01T10:00:00.000Z',
  via: 'dialog',
  sample: { kind: 'url', url: 'https://cdn.example.com/a.wav', host: 'cdn.example.com' },
  serviceHost: 'api.chainhub.tech',
  taskId: '77',
};

describe('voice notes and their export file', () => {
  it('tags: split on commas and semicolons, lower case, no spaces or symbols, unique, at most 20', () => {
    assert.deepStrictEqual(parseTags(' EN, Female ;narration, en , young adult, <b>'), [
      'en',
      'female',
      'narration',
      'young-adult',
      'b',
    ]);
    assert.deepStrictEqual(parseTags(['zh', 3, 'ZH']), ['zh']);
    assert.strictEqual(parseTags(Array.from({ length: 30 }, (_, i) => `t${i}`).join(',')).length, 20);
    assert.deepStrictEqual(parseTags(undefined), []);
  });

  it('a note is rebuilt field by field; no usable voice id, no note', () => {
    assert.strictEqual(validNote({ voiceId: '../x', notes: 'a' }), undefined);
    assert.strictEqual(validNote({ voiceId: 12345, notes: 'a' }), undefined, 'ids are strings (they exceed 2^53)');
    const n = validNote({
      voiceId: ' 42 ',
      notes: 'a\u0007b',
      tags: 'x, y',
      updatedAt: '2026-01-01T00:00:00Z',
      key: 'k',
    });
    assert.deepStrictEqual(n, {
      voiceId: '42',
      voiceName: undefined,
      notes: 'ab',
      tags: ['x', 'y'],
      updatedAt: 1767225600000,
    });
  });

  it('the summary: tags, then the first line of the notes, cut', () => {
    assert.strictEqual(noteSummary(note), '#en #female #narration · Calm, warm.');
    assert.strictEqual(noteSummary({ ...note, tags: [], notes: 'x'.repeat(100) }, 10), `${'x'.repeat(9)}…`);
    assert.strictEqual(noteSummary(undefined), '');
  });

  it('export → import gives the same notes and consent records back; nothing else goes in the file', () => {
    const dirty = {
      ...consent,
      sample: { kind: 'url', url: 'https://cdn.example.com/a.wav?X-Amz-Signature=zzz', host: 'x' },
    };
    const file = buildNotesFile(
      [note],
      new Map([
        [note.voiceId, dirty as ConsentRecord],
        ['800000000000000002', consent],
      ]),
      new Map([['800000000000000002', 'Second']]),
      new Date('2026-03-03T00:00:00Z'),
    );
    const text = JSON.stringify(file);
    assert.ok(!text.includes('Signature') && !text.includes('zzz'), 'no URL query in the export');
    assert.deepStrictEqual(
      file.voices.map((v) => v.voiceName),
      ['Narrator', 'Second'],
    );
    const back = parseNotesFile(text);
    assert.deepStrictEqual(back.notes, [note]);
    assert.strictEqual(back.consents.length, 2);
    assert.deepStrictEqual(JSON.parse(JSON.stringify(back.consents[1])), {
      voiceId: '800000000000000002',
      record: consent,
    });
    assert.strictEqual(back.skipped, 0);
  });

  it('a wrong file is refused with a reason; bad entries are skipped and counted', () => {
    assert.throws(() => parseNotesFile('nope'), /not JSON/);
    assert.throws(() => parseNotesFile('{"voices":[]}'), /not a Kling voice notes export/);
    assert.throws(() => parseNotesFile('{"format":"kling-voice-notes","version":9,"voices":[]}'), /newer/);
    const r = parseNotesFile(
      JSON.stringify({
        format: 'kling-voice-notes',
        version: 1,
        voices: [{ voiceId: '' }, null, { voiceId: '5', tags: ['a'] }],
      }),
    );
    assert.strictEqual(r.skipped, 2);
    assert.deepStrictEqual(
      r.notes.map((n) => n.voiceId),
      ['5'],
    );
  });
});
