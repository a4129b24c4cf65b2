// Finds our English words in a page that should be Chinese: the messages of the English bundle
// (l10n/bundle.l10n.json, the code's and the pages' strings) and of the manifest (package.nls.json: titles, the
// walkthrough), cut at their placeholders, Markdown links and line breaks. A piece of two or more English words
// found in the text is a leftover; single words (API, URL, WAV, dBFS, a voice name from the server) are not judged.
import * as fs from 'fs';
import * as path from 'path';
import type { Locator } from 'playwright-core';

/** The pieces of our English messages that a Chinese page must not show. */
export function englishPieces(root: string): string[] {
  const read = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;
  const messages = [...Object.values(read('l10n/bundle.l10n.json')), ...Object.values(read('package.nls.json'))];
  const pieces = new Set<string>();
  for (const message of messages) {
    if (typeof message !== 'string') {
      continue;
    }
    for (const raw of message.split(/\{\d+\}|\]\([^)]*\)|\[|`[^`]*`|\n/)) {
      const piece = raw.trim().replace(/^[\s.,:;!?'"“”‘’()—–-]+|[\s.,:;!?'"“”‘’()—–-]+$/g, '');
      if (/[A-Za-z]{2,}[\s'’-]+[A-Za-z]{2,}/.test(piece)) {
        pieces.add(piece);
      }
    }
  }
  return [...pieces];
}

/** The pieces found in `text`, longest first, without a piece that is part of a longer one found. */
export function englishLeftovers(text: string, pieces: readonly string[]): string[] {
  const found = pieces.filter((p) => text.includes(p)).sort((a, b) => b.length - a.length);
  return found.filter((p, i) => !found.slice(0, i).some((longer) => longer.includes(p)));
}

/** What the attributes the browser shows (tooltips, screen reader labels, placeholders) read on visible elements. */
interface ElementLike {
  getAttribute(name: string): string | null;
  getClientRects(): { length: number };
}

/**
 * The text a user meets in a page or a part of it (a webview's `body`, the Welcome page): the visible text, and the
 * tooltips, accessible labels, placeholders and alternative texts of the visible elements.
 */
export async function userFacingText(container: Locator): Promise<string> {
  const visible = await container.innerText();
  const attributes = await container.locator('[title], [aria-label], [placeholder], [alt]').evaluateAll((list) =>
    list
      .map((e) => e as unknown as ElementLike)
      .filter((e) => e.getClientRects().length > 0)
      .flatMap((e) => ['title', 'aria-label', 'placeholder', 'alt'].map((name) => e.getAttribute(name) ?? '')),
  );
  return [visible, ...attributes.filter(Boolean)].join('\n');
}
