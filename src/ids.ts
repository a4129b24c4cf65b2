// Every id this extension shares with the manifest (package.json) and VS Code: commands, views, webview types,
// context keys, secret names and setting sections. Constants only; a unit test checks them against the manifest.

/** The extension's id (`publisher.name` in the manifest). */
export const EXTENSION_ID = 'klingvoice.kling-custom-voice';

/** Commands (`contributes.commands`). */
export const COMMANDS = {
  // Palette
  setApiKey: 'klingVoice.setApiKey',
  clearApiKey: 'klingVoice.clearApiKey',
  createVoice: 'klingVoice.createVoice',
  openPanel: 'klingVoice.openPanel',
  checkTask: 'klingVoice.checkTask',
  listPresetVoices: 'klingVoice.listPresetVoices',
  deleteVoice: 'klingVoice.deleteVoice',
  showLog: 'klingVoice.showLog',
  cancelTasks: 'klingVoice.cancelTasks',
  resumeTasks: 'klingVoice.resumeTasks',
  // Local files and uploads
  createVoiceFromFile: 'klingVoice.createVoiceFromFile',
  openTrimmer: 'klingVoice.openTrimmer',
  setUploadCredentials: 'klingVoice.setUploadCredentials',
  clearUploadCredentials: 'klingVoice.clearUploadCredentials',
  // The voice library (My Voices, Preset Voices) and the pages
  refreshVoices: 'klingVoice.refreshVoices',
  refreshPresets: 'klingVoice.refreshPresets',
  removeFromList: 'klingVoice.removeFromList',
  retryInForm: 'klingVoice.retryInForm',
  copyVoiceId: 'klingVoice.copyVoiceId',
  copyDiagnostics: 'klingVoice.copyDiagnostics',
  copyTaskDiagnostics: 'klingVoice.copyTaskDiagnostics',
  playTrial: 'klingVoice.playTrial',
  openTrialAudio: 'klingVoice.openTrialAudio',
  insertSnippet: 'klingVoice.insertSnippet',
  useVoice: 'klingVoice.useVoice',
  checkTaskFromTree: 'klingVoice.checkTaskFromTree',
  // Local notes and tags of voices
  editVoiceNotes: 'klingVoice.editVoiceNotes',
  filterVoicesByTag: 'klingVoice.filterVoicesByTag',
  clearVoiceFilter: 'klingVoice.clearVoiceFilter',
  exportVoiceNotes: 'klingVoice.exportVoiceNotes',
  importVoiceNotes: 'klingVoice.importVoiceNotes',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/**
 * Language-model tools (`contributes.languageModelTools`, `vscode.lm.registerTool`), and the names a chat prompt
 * references them by (`#klingVoices`).
 */
export const TOOLS = {
  checkSample: 'klingVoice_checkSample',
  listVoices: 'klingVoice_listVoices',
  createVoice: 'klingVoice_createVoice',
  insertRequest: 'klingVoice_insertVoiceRequest',
  deleteVoice: 'klingVoice_deleteVoice',
} as const;

export const TOOL_REFERENCES: Record<keyof typeof TOOLS, string> = {
  checkSample: 'klingCheckSample',
  listVoices: 'klingVoices',
  createVoice: 'klingCreateVoice',
  insertRequest: 'klingInsertRequest',
  deleteVoice: 'klingDeleteVoice',
};

/** The activity-bar container and its views (`contributes.viewsContainers`, `contributes.views`). */
export const VIEWS = {
  container: 'klingVoice',
  createForm: 'klingVoice.create',
  voices: 'klingVoice.voices',
  presets: 'klingVoice.presets',
} as const;

/** Webview panel types (`onWebviewPanel:` activation events, serializers). */
export const VIEW_TYPES = {
  createPanel: 'klingVoice.createPanel',
  trimmer: 'klingVoice.trimmer',
  trialPlayer: 'klingVoice.trialPlayer',
} as const;

/** Context keys set with `setContext` (used in `when` clauses). */
export const CONTEXT_KEYS = {
  hasApiKey: 'klingVoice.hasApiKey',
  /** My Voices shows only the voices with one tag. */
  voicesFiltered: 'klingVoice.voicesFiltered',
  /** A voice was created from this machine (a task succeeded): the walkthrough's "create" step ticks on it. */
  hasVoice: 'klingVoice.hasVoice',
} as const;

/** The getting-started walkthrough (`contributes.walkthroughs`), as `workbench.action.openWalkthrough` names it. */
export const WALKTHROUGH = {
  id: 'klingVoice.getStarted',
  extensionId: 'klingvoice.kling-custom-voice',
} as const;

/** Names in SecretStorage. */
export const SECRETS = {
  apiKey: 'klingVoice.apiKey',
  s3AccessKeyId: 'klingVoice.upload.s3.accessKeyId',
  s3SecretAccessKey: 'klingVoice.upload.s3.secretAccessKey',
  httpToken: 'klingVoice.upload.http.token',
} as const;

/** Keys in globalState (versioned: a new shape gets a new key). */
export const STATE_KEYS = {
  /** The history before v2 (one array, migrated at the first read): kept to migrate it. */
  taskHistory: 'klingVoice.taskHistory.v1',
  unconfirmedCreates: 'klingVoice.unconfirmedCreates.v1',
  /** One key per task (`<prefix><taskId>`) and per unconfirmed create, so that windows never overwrite each other. */
  taskEntryPrefix: 'klingVoice.task.v2.',
  unconfirmedPrefix: 'klingVoice.unconfirmed.v2.',
  /** The hidden tasks before v2 (one array, migrated at the first use to one key per task). */
  hiddenTasks: 'klingVoice.hiddenTasks.v1',
  hiddenPrefix: 'klingVoice.hidden.v2.',
  /** One lease per task followed (`<prefix><taskId>`): the window holding it follows the task and announces its end. */
  taskLeasePrefix: 'klingVoice.lease.v1.',
  uploadConsent: 'klingVoice.upload.consent.v1',
  pendingDeletes: 'klingVoice.upload.pendingDeletes.v1',
  /**
   * Set at the first activation (to the claim of the window that handles it; `true` in earlier builds): the
   * walkthrough opens on a fresh install only, and only once.
   */
  walkthroughOffered: 'klingVoice.walkthroughOffered.v1',
  /** The speaker's consent: one key per sample (hashed sample identity) and one per task created from it. */
  consentSamplePrefix: 'klingVoice.consent.v1.sample.',
  consentTaskPrefix: 'klingVoice.consent.v1.task.',
  /** Local notes and tags: one key per voice id. */
  voiceNotesPrefix: 'klingVoice.notes.v1.',
} as const;

/** The status bar item's id. */
export const STATUS_BAR_ID = 'klingVoice.tasks';

/** Setting sections and full setting names (`contributes.configuration`). */
export const SETTINGS = {
  root: 'klingVoice',
  apiBaseUrl: 'klingVoice.apiBaseUrl',
  upload: 'klingVoice.upload',
  batch: 'klingVoice.batch',
  consent: 'klingVoice.consent',
} as const;

/** VS Code's own commands that we run. */
export const VSCODE_COMMANDS = {
  openSettings: 'workbench.action.openSettings',
  openWalkthrough: 'workbench.action.openWalkthrough',
  /** The Welcome page's "Mark Step Incomplete"; run on a step that does not exist, it only starts the page's service. */
  markStepIncomplete: 'welcome.markStepIncomplete',
  markdownPreview: 'markdown.showPreview',
} as const;
