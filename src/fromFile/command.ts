// The Explorer / editor command "Create Kling Voice from File…" and the upload-credential commands. A palette
// command: nothing but extension.ts imports this file.
import * as l10n from '@vscode/l10n';
import * as vscode from 'vscode';
import { uniqueVoiceNames, voiceNameFromFile } from '../audio';
import { SAMPLE_EXTENSIONS, validateVoiceName } from '../kling';
import { COMMANDS } from '../ids';
import { UploadError, type UploadProvider } from '../upload';
import {
  UploadConsent,
  clearUploadCredentials,
  createUploadProvider,
  setUploadCredentials,
} from '../upload/vscodeUpload';
import { showError } from '../ui/notify';
import { uploadAndCreateAll, type FileOutcome } from './batch';
import {
  askName,
  askTrim,
  confirmBatch,
  confirmWarnings,
  ensureApiKeyInteractively,
  explainNoProvider,
  showUploadError,
  summarize,
} from './dialogs';
import { checkFiles, toUri, type Checked, type Prepared } from './inspect';
import { noKeyMessage, logReport, speakerConsent, takenNames } from './pipeline';
import type { FromFileDeps, FromFileOptions } from './types';

type Refused = Extract<Checked, { ok: false }>;

/** What the command works on: the files, its options, and whether it may ask the user. */
interface Run {
  deps: FromFileDeps;
  uris: vscode.Uri[];
  options: FromFileOptions;
  ask: boolean;
}

/** Collects the target files from the ways VS Code and callers invoke the command. */
function filesFromArgs(first: unknown, second: unknown): { uris: vscode.Uri[]; options: FromFileOptions } | undefined {
  const isOptions = (v: unknown): v is FromFileOptions & { files?: (string | vscode.Uri)[] } =>
    typeof v === 'object' && v !== null && !(v instanceof vscode.Uri) && !Array.isArray(v) && !('groupId' in v);
  if (isOptions(first) && Array.isArray(first.files)) {
    return { uris: first.files.map(toUri), options: first };
  }
  if (first instanceof vscode.Uri) {
    // Explorer: (clicked, all selected). Editor title context: (uri, { groupId }).
    const all =
      Array.isArray(second) && second.every((u) => u instanceof vscode.Uri) && second.length > 0
        ? (second as vscode.Uri[])
        : [first];
    return { uris: all, options: {} };
  }
  return undefined;
}

/** The interactive command and its programmatic form. Returns one outcome per file. */
async function runCommand(
  deps: FromFileDeps,
  first?: unknown,
  second?: unknown,
  third?: unknown,
): Promise<FileOutcome[]> {
  const target = filesFromArgs(first, second) ?? (await pickFiles());
  if (!target) {
    return [];
  }
  const options: FromFileOptions = {
    ...target.options,
    ...(typeof third === 'object' && third !== null ? (third as FromFileOptions) : {}),
  };
  const run: Run = { deps, uris: target.uris, options, ask: options.noPrompt !== true };

  // 1. Look before anything leaves the machine: no upload, no API request for a file that breaks the rules.
  const checks = await checkPhase(run);
  if (checks === 'openedInTrimmer') {
    return run.uris.map((uri) => ({
      file: uri.toString(),
      status: 'skipped',
      message: l10n.t('Opened in the trimmer.'),
    }));
  }
  const outcomes: FileOutcome[] = checks.map((c) =>
    c.ok
      ? { file: c.file.uri.toString(), status: 'skipped' }
      : { file: c.uri.toString(), status: 'refused', message: c.message },
  );
  const ready = readyFiles(run, checks);
  if (ready.length === 0) {
    return outcomes;
  }
  // 2. A key, then where the files go.
  const provider = await keyAndProvider(run);
  if (typeof provider === 'string') {
    return outcomes.map((o) => (o.status === 'skipped' ? { ...o, status: 'error', message: provider } : o));
  }
  // 3. Names, report, consent.
  const names = await namesAndConsent(run, provider, checks, ready, outcomes);
  if (!names) {
    return outcomes;
  }
  // 4. Upload and create, a few at a time.
  const jobs = ready
    .map((file) => ({ file, index: checks.findIndex((c) => c.ok && c.file === file) }))
    .filter((j) => outcomes[j.index].status === 'skipped');
  await uploadAndCreateAll(deps, provider, jobs, names, outcomes, options);
  // 5. Tell the user.
  void summarize(deps, outcomes, run.ask);
  return outcomes;
}

async function pickFiles(): Promise<{ uris: vscode.Uri[]; options: FromFileOptions } | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: l10n.t('Create Kling Voice from File'),
    canSelectMany: true,
    openLabel: l10n.t('Create Voice'),
    filters: { [l10n.t('Voice samples')]: [...SAMPLE_EXTENSIONS] },
  });
  return picked?.length ? { uris: picked, options: {} } : undefined;
}

/** Checks every file; offers the suggested window (or the trimmer) for files that are only too long. */
async function checkPhase(run: Run): Promise<Checked[] | 'openedInTrimmer'> {
  const { uris, options } = run;
  const checks = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: l10n.t('Kling Voice: checking samples') },
    () => checkFiles(uris, options.trim === 'suggested', options.normalize === true),
  );
  const trimmable = checks.filter((c): c is Refused => !c.ok && c.trimmable);
  if (!run.ask || options.trim === 'suggested' || trimmable.length === 0) {
    return checks;
  }
  const what =
    uris.length === 1
      ? checks[0].ok
        ? ''
        : checks[0].message
      : trimmable.length === 1
        ? l10n.t('{0} is longer than 30 s.', trimmable[0].displayName)
        : l10n.t('{0} are longer than 30 s.', trimmable.map((c) => c.displayName).join(', '));
  const choice = await askTrim(what, uris.length === 1);
  if (choice === 'trimmer') {
    await vscode.commands.executeCommand(COMMANDS.openTrimmer, uris[0]);
    return 'openedInTrimmer';
  }
  if (choice !== 'window') {
    return checks;
  }
  const again = await checkFiles(
    trimmable.map((c) => c.uri),
    true,
    options.normalize === true,
  );
  return checks.map((c) => (!c.ok && c.trimmable ? (again.shift() as Checked) : c));
}

/** The files that passed; the refused ones are logged, and shown when none passed. */
function readyFiles(run: Run, checks: Checked[]): Prepared[] {
  const { log } = run.deps;
  for (const c of checks) {
    if (!c.ok) {
      log.warn(`refused ${c.displayName}: ${c.message}`);
    }
  }
  const ready = checks.flatMap((c) => (c.ok ? [c.file] : []));
  if (ready.length === 0) {
    const refused = checks.filter((c): c is Refused => !c.ok);
    if (refused.length) {
      void vscode.window
        .showErrorMessage(
          refused.length === 1
            ? refused[0].message
            : l10n.t('None of the {0} files can be used: {1}', refused.length, refused.map((r) => r.message).join(' ')),
          l10n.t('Show Log'),
        )
        .then((c) => c && log.show(true));
    }
  }
  ready.forEach((f) => logReport(log, f));
  return ready;
}

/** The upload provider once a key is stored, or why the files cannot go (said to the user already). */
async function keyAndProvider(run: Run): Promise<UploadProvider | string> {
  const { deps } = run;
  if (run.ask ? !(await ensureApiKeyInteractively(deps)) : !(await deps.service.hasApiKey())) {
    return noKeyMessage();
  }
  let provider: UploadProvider | undefined;
  try {
    provider = await createUploadProvider(deps.context.secrets, deps.log);
  } catch (e) {
    if (e instanceof UploadError) {
      void showUploadError(e, deps.log, l10n.t('Create voice from file'));
      return e.message;
    }
    throw e;
  }
  if (!provider) {
    void explainNoProvider();
    return l10n.t('No upload provider is set (klingVoice.upload.provider).');
  }
  return provider;
}

/**
 * The voice name of each ready file (asked for one file, confirmed for several), then the upload consent. Files
 * whose name breaks the rules are marked refused in `outcomes`. Undefined when the user stopped.
 */
async function namesAndConsent(
  run: Run,
  provider: UploadProvider,
  checks: Checked[],
  ready: Prepared[],
  outcomes: FileOutcome[],
): Promise<Map<Prepared, string> | undefined> {
  const { deps, options } = run;
  const names = new Map<Prepared, string>();
  const derived = uniqueVoiceNames(
    ready.map((f) => f.displayName),
    takenNames(deps.service),
  );
  ready.forEach((f, i) => names.set(f, derived[i]));
  if (ready.length === 1 && options.voiceName !== undefined) {
    names.set(ready[0], options.voiceName.trim());
  }
  if (run.ask && ready.length === 1 && run.uris.length === 1) {
    const file = ready[0];
    const name = options.voiceName ?? (await askName(file, names.get(file) ?? voiceNameFromFile(file.displayName)));
    if (name === undefined) {
      return undefined;
    }
    names.set(file, name.trim());
    if (file.report?.warnings.length && !(await confirmWarnings(file))) {
      return undefined;
    }
  } else if (run.ask && !(await confirmBatch(ready, checks.length - ready.length, names))) {
    return undefined;
  }
  for (const f of ready) {
    const problem = validateVoiceName(names.get(f));
    if (problem) {
      const i = checks.findIndex((c) => c.ok && c.file === f);
      outcomes[i] = { file: f.uri.toString(), status: 'refused', message: `${f.displayName}: ${problem}` };
    }
  }
  const named = ready.filter((f) => !validateVoiceName(names.get(f)));
  if (named.length && !(await speakerConsent(deps, named, options.speakerConsent))) {
    return undefined;
  }
  const consent = new UploadConsent(deps.context.globalState);
  if (!(await consent.ensure(provider, ready.length, options.consent))) {
    deps.log.info(`upload to ${provider.destination} not allowed; nothing was sent`);
    return undefined;
  }
  return names;
}

/** The from-file and upload-credential commands' handlers (registered by ./register.ts, loaded on first use). */
export async function createVoiceFromFileCommand(
  deps: FromFileDeps,
  first?: unknown,
  second?: unknown,
  third?: unknown,
): Promise<FileOutcome[]> {
  try {
    return await runCommand(deps, first, second, third);
  } catch (e) {
    if (e instanceof UploadError) {
      void showUploadError(e, deps.log, l10n.t('Create voice from file'));
    } else {
      void showError(e, deps.log, l10n.t('Create voice from file'));
    }
    throw e;
  }
}

export async function setUploadCredentialsCommand(deps: FromFileDeps, args?: unknown): Promise<boolean> {
  const stored = await setUploadCredentials(
    deps.context.secrets,
    typeof args === 'object' && args !== null ? args : undefined,
  );
  if (stored) {
    deps.log.info('upload credentials stored');
    if (args === undefined) {
      void vscode.window.showInformationMessage(l10n.t('Upload credentials stored in VS Code secret storage.'));
    }
  }
  return stored;
}

export async function clearUploadCredentialsCommand(deps: FromFileDeps): Promise<boolean> {
  await clearUploadCredentials(deps.context.secrets, new UploadConsent(deps.context.globalState));
  deps.log.info('upload credentials and upload consents cleared');
  void vscode.window.showInformationMessage(l10n.t('Upload credentials and remembered upload consents cleared.'));
  return true;
}
