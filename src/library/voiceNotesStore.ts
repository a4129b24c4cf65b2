// Local notes and tags of voices in globalState, one key per voice (windows never overwrite each other's notes).
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { STATE_KEYS } from '../ids';
import { isEmptyNote, validNote, type VoiceNote } from '../shared/voiceNotes';

const PREFIX = STATE_KEYS.voiceNotesPrefix;

/** Also the agent tools' `VoiceNotes` seam (notesFor). */
export class VoiceNotesStore extends Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly _state: vscode.Memento) {
    super();
  }

  get(voiceId: string): VoiceNote | undefined {
    return validNote(this._state.get<unknown>(PREFIX + voiceId));
  }

  /** The agent tools' seam (#klingVoices shows a voice's notes and tags). */
  notesFor(voiceId: string): { notes?: string; tags?: string[] } | undefined {
    const n = this.get(voiceId);
    return n ? { notes: n.notes, tags: n.tags } : undefined;
  }

  all(): VoiceNote[] {
    return this._state
      .keys()
      .filter((k) => k.startsWith(PREFIX))
      .flatMap((k) => validNote(this._state.get<unknown>(k)) ?? []);
  }

  /** Every tag in use, with how many voices have it, most used first. */
  tags(): { tag: string; count: number }[] {
    const counts = new Map<string, number>();
    for (const n of this.all()) {
      n.tags.forEach((t) => counts.set(t, (counts.get(t) ?? 0) + 1));
    }
    return [...counts]
      .map(([tag, count]) => ({ tag, count }))
      .sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
  }

  /** Stores a note (an empty one is removed). */
  async set(note: VoiceNote): Promise<void> {
    const clean = validNote(note);
    if (!clean) {
      return;
    }
    await this._state.update(PREFIX + clean.voiceId, isEmptyNote(clean) ? undefined : clean);
    this._onDidChange.fire();
  }

  /** Imported notes: a newer note on this machine is kept. Returns how many were taken. */
  async merge(notes: readonly VoiceNote[]): Promise<number> {
    let taken = 0;
    for (const n of notes) {
      const mine = this.get(n.voiceId);
      if (!mine || mine.updatedAt <= n.updatedAt) {
        await this._state.update(PREFIX + n.voiceId, n);
        taken++;
      }
    }
    if (taken) {
      this._onDidChange.fire();
    }
    return taken;
  }
}
