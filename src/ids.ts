// Every id this extension shares with the manifest (package.json) and VS Code: commands, views, webview types,
// context keys, secret names and setting sections. Constants only; a unit test checks them against the manifest.

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
  playTrial: 'klingVoice.playTrial',
  openTrialAudio: 'klingVoice.openTrialAudio',
  insertSnippet: 'klingVoice.insertSnippet',
  checkTaskFromTree: 'klingVoice.checkTaskFromTree',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

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
  taskHistory: 'klingVoice.taskHistory.v1',
  unconfirmedCreates: 'klingVoice.unconfirmedCreates.v1',
  hiddenTasks: 'klingVoice.hiddenTasks.v1',
  uploadConsent: 'klingVoice.upload.consent.v1',
  /** Set once the first start has been handled: the walkthrough opens on a fresh install only, and only once. */
  walkthroughOffered: 'klingVoice.walkthroughOffered.v1',
} as const;

/** The status bar item's id. */
export const STATUS_BAR_ID = 'klingVoice.tasks';

/** Setting sections and full setting names (`contributes.configuration`). */
export const SETTINGS = {
  root: 'klingVoice',
  apiBaseUrl: 'klingVoice.apiBaseUrl',
  upload: 'klingVoice.upload',
  batch: 'klingVoice.batch',
} as const;

/** VS Code's own commands that we run. */
export const VSCODE_COMMANDS = {
  openSettings: 'workbench.action.openSettings',
  openWalkthrough: 'workbench.action.openWalkthrough',
  markdownPreview: 'markdown.showPreview',
} as const;
