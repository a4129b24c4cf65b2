// File names of uploaded samples. Kling reads the type from the URL's extension, so every name built here
// keeps the extension (in lower case), whatever the rest of the name is made of.

/** The base name split into stem and extension; an extension is 1–10 letters or digits after the last dot. */
function splitName(fileName: string): { stem: string; ext: string } {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  if (dot >= 0) {
    const ext = base
      .slice(dot + 1)
      .normalize('NFKC')
      .trim()
      .toLowerCase();
    if (/^[a-z0-9]{1,10}$/.test(ext)) {
      return { stem: base.slice(0, dot), ext };
    }
  }
  return { stem: base, ext: '' };
}

/**
 * A safe object name (S3 keys, and the plain `filename` of a multipart upload): ASCII letters, digits, dot,
 * dash and underscore, at most 80 characters. The stem and the extension are cleaned separately, so a name
 * without Latin letters ("声音.wav") keeps its extension; an empty stem becomes "sample".
 */
export function safeObjectName(fileName: string): string {
  const { stem, ext } = splitName(fileName);
  const suffix = ext ? `.${ext}` : '';
  const clean = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\w.-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 80 - suffix.length)
    .replace(/\.+$/, '');
  return `${clean || 'sample'}${suffix}`;
}

/**
 * The name as the user wrote it, for an upload endpoint (`{fileName}`, the multipart file name): any
 * script, NFC, no control characters or leading/trailing dots and spaces, at most `maxBytes` bytes of
 * UTF-8 (cut between characters), with its extension in lower case. An empty stem becomes "sample".
 */
export function uploadFileName(fileName: string, maxBytes = 200): string {
  const { stem, ext } = splitName(fileName);
  const suffix = ext ? `.${ext}` : '';
  const trim = (s: string) => s.replace(/^[\s.]+|[\s.]+$/g, '');
  // eslint-disable-next-line no-control-regex
  const chars = Array.from(trim(stem.normalize('NFC').replace(/[\u0000-\u001f\u007f-\u009f]/g, '')));
  let bytes = Buffer.byteLength(suffix);
  let kept = '';
  for (const c of chars) {
    bytes += Buffer.byteLength(c);
    if (bytes > maxBytes) {
      break;
    }
    kept += c;
  }
  return `${trim(kept) || 'sample'}${suffix}`;
}

/** Percent-encoding for an RFC 8187 (formerly 5987) `ext-value` such as `filename*=UTF-8''…`. */
export function encodeExtValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
