/**
 * Removing secrets from text that comes from a server (or from the network stack) before it is shown,
 * logged or stored. Always redact the whole text first and cut it short afterwards: a cut made first can
 * leave most of a secret behind, where it no longer matches in full.
 */

/** Runs of at least this many characters of a secret are removed, so a server that echoes a key cut short (or a
 *  cut made elsewhere) still leaves at most a few characters of it. */
const MIN_FRAGMENT = 6;

/** A token: up to a space, quote, separator or backslash; not ending in `.`, `)` or `]` (punctuation after it), and
 *  not `***` (already redacted), so redacting twice changes nothing. */
const TOKEN = String.raw`(?!\*\*\*)[^\s"'<>,;&\\]*[^\s"'<>,;&\\.)\]]`;
const SCHEME = String.raw`(?:(?:bearer|basic|token|digest)\s+)`;
/** `Authorization: <scheme> <token>` and similar header or parameter echoes (JSON, text, query strings). */
const HEADER_TOKEN_RE = new RegExp(
  String.raw`(\b(?:proxy-)?(?:authorization|x-api-key|api[-_]?key|access[-_]?token)["']?\s*[:=]\s*["']?(?!${SCHEME}?\*\*\*)${SCHEME}?)` +
    TOKEN,
  'gi',
);
/** `Bearer <token>` anywhere. */
const BEARER_RE = new RegExp(String.raw`(\bbearer\s+)` + TOKEN, 'gi');

/** An absolute http(s) URL in running text. */
const URL_RE = /\bhttps?:\/\/[^\s"'<>`]+/gi;

/**
 * Returns `text` with every secret in `secrets` removed (whole, or any run of 6+ of its characters), every
 * `Bearer …` / `Authorization: …` token, and the query string, fragment and user info of every URL (a server that
 * quotes the presigned `voice_url` of an upload would otherwise pass its signature on), each replaced by `***`.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) {
      out = removeFragments(out, secret);
    }
  }
  return out
    .replace(HEADER_TOKEN_RE, '$1***')
    .replace(BEARER_RE, '$1***')
    .replace(URL_RE, (url) => {
      const tail = /[).,;:!\]]*$/.exec(url)?.[0] ?? ''; // sentence punctuation after the URL stays
      const bare = url.slice(0, url.length - tail.length);
      const noUser = bare.replace(/^(https?:\/\/)[^/?#]*@/i, '$1***@');
      const cutAt = noUser.search(/[?#]/);
      return (cutAt >= 0 ? `${noUser.slice(0, cutAt)}?***` : noUser) + tail;
    });
}

/**
 * Removes every secret (whole, or any run of 6+ of its characters) from every string inside a parsed JSON value,
 * in place, and returns it. Only the secrets: URLs keep their queries (a trial URL must still play). Iterative, so a
 * deeply nested answer cannot overflow the stack. Object keys are left as they are (nothing reads unknown keys).
 */
export function redactSecretsDeep<T>(value: T, secrets: readonly (string | undefined)[]): T {
  const live = secrets.filter((s): s is string => !!s && s.length >= 4);
  if (!live.length) {
    return value;
  }
  const clean = (text: string) => live.reduce((out, secret) => removeFragments(out, secret), text);
  if (typeof value === 'string') {
    return clean(value) as T;
  }
  const stack: unknown[] = [value];
  while (stack.length) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) {
      continue;
    }
    const obj = node as Record<string, unknown>;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (typeof v === 'string') {
        obj[k] = clean(v);
      } else if (typeof v === 'object' && v !== null) {
        stack.push(v);
      }
    }
  }
  return value;
}

/** Cuts a (redacted) text to `max` characters, marking the cut. */
export function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function removeFragments(text: string, secret: string): string {
  if (secret.length < MIN_FRAGMENT) {
    return secret.length >= 4 ? text.split(secret).join('***') : text;
  }
  // Mark every window of MIN_FRAGMENT characters that occurs in the secret; together they cover every
  // longer run of the secret's characters too.
  let marks: Uint8Array | undefined;
  for (let s = 0; s + MIN_FRAGMENT <= secret.length; s++) {
    const seed = secret.slice(s, s + MIN_FRAGMENT);
    for (let i = text.indexOf(seed); i >= 0; i = text.indexOf(seed, i + 1)) {
      marks ??= new Uint8Array(text.length);
      marks.fill(1, i, i + MIN_FRAGMENT);
    }
  }
  if (!marks) {
    return text;
  }
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (marks[i]) {
      out += '***';
      while (i < text.length && marks[i]) {
        i++;
      }
    } else {
      const start = i;
      while (i < text.length && !marks[i]) {
        i++;
      }
      out += text.slice(start, i);
    }
  }
  return out;
}
