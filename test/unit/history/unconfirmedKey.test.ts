import * as assert from 'assert';
import { unconfirmedKey } from '../../../src/history/unconfirmedKey';

describe('unconfirmedKey: which create counts as a retry of an earlier, unconfirmed one', () => {
  const url = (u: string) => unconfirmedKey({ voiceName: 'Narrator', voiceUrl: u });

  it('a URL counts without query and fragment: a link signed again for the same file is the same sample', () => {
    assert.strictEqual(
      url('https://cdn.example/s/take1.wav?X-Amz-Signature=aaa&X-Amz-Expires=3600'),
      url('https://cdn.example/s/take1.wav?X-Amz-Signature=bbb&X-Amz-Expires=60#t=1'),
    );
    assert.strictEqual(url(' https://cdn.example/s/take1.wav '), url('https://cdn.example/s/take1.wav'));
    assert.ok(
      !url('https://cdn.example/s/take1.wav?X-Amz-Signature=secret123').includes('secret123'),
      'no signature in the stored key',
    );
  });

  it('another URL, video id or name is another voice', () => {
    const base = url('https://cdn.example/s/take1.wav');
    assert.notStrictEqual(url('https://cdn.example/s/take2.wav'), base);
    assert.notStrictEqual(url('https://other.example/s/take1.wav'), base);
    assert.notStrictEqual(
      unconfirmedKey({ voiceName: 'Narrator 2', voiceUrl: 'https://cdn.example/s/take1.wav' }),
      base,
    );
    assert.strictEqual(
      unconfirmedKey({ voiceName: ' Narrator ', voiceUrl: 'https://cdn.example/s/take1.wav' }),
      base,
      'the name is trimmed, as sent',
    );
    const video = (id: string) => unconfirmedKey({ voiceName: 'Narrator', videoId: id });
    assert.strictEqual(video('881234'), video(' 881234 '));
    assert.notStrictEqual(video('881234'), video('881235'));
    assert.notStrictEqual(video('881234'), base);
  });

  it('an uploaded file counts as the file and what was sent of it, never as the upload URL (new on every upload)', () => {
    const source = { kind: 'file' as const, fileName: 'take.wav', uri: 'file:///home/u/take.wav' };
    const upload = (n: number, sample = '352844:ab12:whole') =>
      unconfirmedKey(
        { voiceName: 'Narrator', voiceUrl: `https://s3.example/b/kling/${n}-uuid/take.wav?X-Amz-Signature=${n}` },
        source,
        sample,
      );
    assert.strictEqual(upload(1), upload(2), 'a retry that uploads the same bytes again is looked up');
    assert.notStrictEqual(upload(1, '352844:cd34:whole'), upload(1), 'the file changed on disk: another take');
    assert.notStrictEqual(
      upload(1, '96044:ef56:2.000-8.000'),
      upload(1, '96044:ef56:3.000-9.000'),
      'another window of the file',
    );
    const other = unconfirmedKey(
      { voiceName: 'Narrator', voiceUrl: 'https://s3.example/b/kling/1-uuid/take.wav' },
      { ...source, uri: 'file:///home/u/take2.wav' },
      '352844:ab12:whole',
    );
    assert.notStrictEqual(other, upload(1), 'another file');
    assert.notStrictEqual(
      upload(1),
      url('https://s3.example/b/kling/1-uuid/take.wav'),
      'not the same as pasting the URL',
    );
  });
});
