// Text from a server (a voice name, an owner, a task's reason) made safe to show in a tree, a hover or a completion.
// Pure: no vscode, no DOM.

/** A voice name longer than this is cut (Kling allows 20 characters; anything longer comes from elsewhere). */
export const MAX_NAME_DISPLAY = 60;

/**
 * C0 and C1 controls, DEL, bidirectional overrides and isolates (which can make a name read backwards), zero-width
 * characters and the BOM: none belongs in a name, and some can disguise one. Line and paragraph separators are
 * handled as line breaks.
 */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const BREAKS = /[\t\n\r\u0085\u2028\u2029]+/g;

/**
 * One line of at most `max` code points (then `…`), without control or invisible formatting characters. Takes
 * anything (a hostile server or caller may send a number or an object) and always returns a string.
 */
export function displayText(text: unknown, max = MAX_NAME_DISPLAY): string {
  if (typeof text !== 'string') {
    return typeof text === 'number' && Number.isFinite(text) ? String(text) : '';
  }
  // Cut generously first, so a huge text costs no more than its first part.
  const head = text.length > max * 8 + 64 ? text.slice(0, max * 8 + 64) : text;
  const clean = head.replace(BREAKS, ' ').replace(INVISIBLE, '').replace(/ {2,}/g, ' ').trim();
  const points = Array.from(clean);
  return points.length > max || head.length < text.length ? `${points.slice(0, max).join('').trimEnd()}…` : clean;
}
