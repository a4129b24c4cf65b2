/** The URL without query, fragment or user info (where signatures, tokens and passwords travel), or undefined if it is not a URL. */
export function withoutSecrets(raw: string): string | undefined {
  try {
    const u = new URL(raw);
    u.search = '';
    u.hash = '';
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return undefined;
  }
}

/**
 * True for a link a page may play: https, or plain http on loopback only (the local sandbox and test servers). See
 * MEDIA_SRC in src/webviewHost/page.ts, the pages' policy.
 */
export function isPlayableLink(raw: string | undefined): raw is string {
  if (!raw) {
    return false;
  }
  try {
    const url = new URL(raw);
    return (
      url.protocol === 'https:' ||
      (url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost'))
    );
  } catch {
    return false;
  }
}
