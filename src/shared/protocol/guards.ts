// The building blocks of every page's message guard. Pure: no vscode, no DOM.

/** A plain object (its prototype is Object.prototype or null): not an array, a class instance or null. */
export function isPlainRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return false;
  }
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Exactly these own keys, no more, no fewer. */
export function hasExactKeys(v: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(v);
  return own.length === keys.length && keys.every((k) => Object.prototype.hasOwnProperty.call(v, k));
}

export function isBoundedString(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length <= max;
}
