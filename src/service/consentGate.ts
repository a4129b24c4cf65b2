// The one consent gate every create passes through (VoiceService.createVoice, and the local-file paths before they
// upload): the speaker's consent is asked once per sample, with a modal, and recorded in globalState.
import { createHash } from 'crypto';
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { Disposable } from '../dispose';
import { STATE_KEYS, SETTINGS } from '../ids';
import {
  consentStatement,
  defaultPurpose,
  describeSample,
  ownVoiceStatement,
  preAcceptedStatement,
  sampleKey,
  validConsentRecord,
  type ConsentRecord,
  type ConsentSample,
  type ConsentVia,
} from '../shared/consent';

/** A consent stated by the caller (an extension through the API, or an agent tool's confirmation). */
export interface ConsentGiven {
  statement: string;
  via: Extract<ConsentVia, 'api' | 'agent'>;
}

/** Asks the user; resolves with the statement agreed to, or undefined when declined. */
export type ConsentAsk = (samples: readonly ConsentSample[]) => Promise<string | undefined>;

const SAMPLE_PREFIX = STATE_KEYS.consentSamplePrefix;
const TASK_PREFIX = STATE_KEYS.consentTaskPrefix;

function stateKey(sample: ConsentSample): string {
  return SAMPLE_PREFIX + createHash('sha256').update(sampleKey(sample)).digest('hex').slice(0, 32);
}

/** `klingVoice.consent.preAccepted`: the user clones only voices they may (user setting only). */
export function consentPreAccepted(): boolean {
  return vscode.workspace.getConfiguration(SETTINGS.root).get<boolean>('consent.preAccepted') === true;
}

export class ConsentGate extends Disposable {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;
  /** Questions on screen, by sample key: a second create of the same sample waits for the same answer. */
  private readonly _asking = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly _state: vscode.Memento,
    private readonly _ask: ConsentAsk = askModal,
  ) {
    super();
  }

  /** The stored consent for a sample, if any. */
  forSample(sample: ConsentSample): ConsentRecord | undefined {
    return validConsentRecord(this._state.get<unknown>(stateKey(sample)));
  }

  /** Whether creating from these samples would ask the user now. */
  wouldAsk(samples: readonly ConsentSample[], given?: ConsentGiven): boolean {
    return !given && !consentPreAccepted() && samples.some((s) => !this.forSample(s));
  }

  /**
   * The consent for each sample: stored, stated by the caller, pre-accepted by the setting, or asked for (once for
   * all the samples without one). Undefined when the user declined: nothing may be sent or uploaded.
   */
  async require(
    samples: readonly ConsentSample[],
    given?: ConsentGiven,
    serviceHost?: string,
  ): Promise<ConsentRecord[] | undefined> {
    const make = (sample: ConsentSample, statement: string, via: ConsentVia): ConsentRecord => ({
      statement,
      acceptedAt: new Date().toISOString(),
      via,
      sample,
      serviceHost,
    });
    if (given) {
      const records = samples.map((s) => make(s, given.statement, given.via));
      await this._storeMissing(records);
      return records;
    }
    const missing = samples.filter((s) => !this.forSample(s));
    if (missing.length) {
      let statement: string | undefined;
      let via: ConsentVia = 'dialog';
      if (consentPreAccepted()) {
        statement = preAcceptedStatement();
        via = 'setting';
      } else {
        statement = await this._askOnce(missing);
      }
      if (statement === undefined) {
        return undefined;
      }
      await this._storeMissing(missing.map((s) => make(s, statement, via)));
    }
    return samples.map((s) => this.forSample(s) ?? make(s, preAcceptedStatement(), 'setting'));
  }

  /** Keeps the consent a task was created under (shown in My Voices' tooltip, exported with the notes). */
  async recordTask(taskId: string, record: ConsentRecord, voiceName?: string): Promise<void> {
    await this._state.update(TASK_PREFIX + taskId, { ...record, taskId, voiceName: voiceName?.trim() || undefined });
    this._onDidChange.fire();
  }

  forTask(taskId: string): ConsentRecord | undefined {
    return validConsentRecord(this._state.get<unknown>(TASK_PREFIX + taskId));
  }

  /** Every task's consent record. */
  all(): ConsentRecord[] {
    const out: ConsentRecord[] = [];
    for (const key of this._state.keys()) {
      if (key.startsWith(TASK_PREFIX)) {
        const r = validConsentRecord(this._state.get<unknown>(key));
        if (r) {
          out.push(r);
        }
      }
    }
    return out;
  }

  /** An imported record (a team's export): kept for its task, unless this machine has one already. */
  async importRecord(record: ConsentRecord): Promise<boolean> {
    if (!record.taskId || this.forTask(record.taskId)) {
      return false;
    }
    await this._state.update(TASK_PREFIX + record.taskId, record);
    this._onDidChange.fire();
    return true;
  }

  private async _storeMissing(records: readonly ConsentRecord[]): Promise<void> {
    for (const r of records) {
      if (!this.forSample(r.sample)) {
        await this._state.update(stateKey(r.sample), r);
      }
    }
  }

  /** One question for the samples; a sample already being asked about waits for that answer instead. */
  private async _askOnce(samples: readonly ConsentSample[]): Promise<string | undefined> {
    const keys = samples.map(sampleKey);
    const pending = keys.map((k) => this._asking.get(k)).find((p) => p !== undefined);
    if (pending) {
      const rest = samples.filter((s) => this._asking.get(sampleKey(s)) !== pending);
      const answer = await pending;
      return answer === undefined || !rest.length ? answer : this._askOnce(rest);
    }
    const question = this._ask(samples).then(
      (answer) => answer,
      // A question that cannot be shown is no consent.
      () => undefined,
    );
    keys.forEach((k) => this._asking.set(k, question));
    try {
      return await question;
    } finally {
      keys.forEach((k) => this._asking.delete(k));
    }
  }
}

/**
 * The modal question: the default purpose, one's own voice, or another purpose typed in. The statement returned is
 * the one shown, in the language it was shown in (what the user agreed to is what the record keeps).
 */
export async function askModal(samples: readonly ConsentSample[]): Promise<string | undefined> {
  const permission = l10n.t('I Have Permission');
  const own = l10n.t('It Is My Own Voice');
  const other = l10n.t('Another Purpose…');
  const listed = samples
    .slice(0, 5)
    .map((s) => `• ${describeSample(s)}`)
    .join('\n');
  const statement = consentStatement();
  const why = l10n.t(
    'A recording of someone\'s voice is biometric data. Kling does not ask for consent; this extension asks once per sample and keeps a local record of your answer (the statement, the date and which sample: a file\'s SHA-256, a URL without its query). Nothing is sent until you answer. "{0}" records: "{1}"',
    permission,
    statement,
  );
  const choice = await vscode.window.showWarningMessage(
    samples.length === 1
      ? l10n.t("Do you have the speaker's permission to clone this voice?")
      : l10n.t("Do you have the speakers' permission to clone these {0} voices?", samples.length),
    {
      modal: true,
      detail: `${listed}\n\n${why}`,
    },
    permission,
    own,
    other,
  );
  if (choice === permission) {
    return statement;
  }
  if (choice === own) {
    return ownVoiceStatement();
  }
  if (choice !== other) {
    return undefined;
  }
  const purpose = await vscode.window.showInputBox({
    title: l10n.t("The speaker's consent"),
    prompt: l10n.t("I have the speaker's permission to clone this voice for …"),
    placeHolder: defaultPurpose(),
    ignoreFocusOut: true,
    validateInput: (v) => (v.length > 300 ? l10n.t('At most {0} characters.', 300) : undefined),
  });
  return purpose === undefined ? undefined : consentStatement(purpose);
}
