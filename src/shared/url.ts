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
