import * as vscode from 'vscode';
import { SETTINGS } from './ids';

export const SECTION = 'klingVoice';
export const DEFAULT_BASE_URL = 'https://api.chainhub.tech/kling';

export interface Settings {
  apiBaseUrl: string;
  requestTimeoutMs: number;
  pollIntervalMs: number;
  taskTimeoutMs: number;
}

function num(config: vscode.WorkspaceConfiguration, key: string, fallback: number, min: number, max: number): number {
  const v = config.get<number>(key);
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    return fallback;
  }
  return Math.min(max, Math.max(min, v));
}

/** Reads the settings each time they are needed, so changes apply without a reload. */
export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const base = c.get<string>('apiBaseUrl');
  return {
    apiBaseUrl: typeof base === 'string' && base.trim() ? base.trim() : DEFAULT_BASE_URL,
    requestTimeoutMs: num(c, 'requestTimeoutSeconds', 30, 1, 600) * 1000,
    pollIntervalMs: num(c, 'pollIntervalSeconds', 1, 0.1, 60) * 1000,
    taskTimeoutMs: num(c, 'taskTimeoutMinutes', 10, 0.05, 120) * 60_000,
  };
}

/** `klingVoice.upload.provider`, read without loading the upload providers (src/upload/vscodeUpload.ts reads the rest). */
export function uploadProviderName(): 'none' | 's3' | 'http' {
  const provider = vscode.workspace.getConfiguration(SETTINGS.upload).get<unknown>('provider');
  const name = typeof provider === 'string' ? provider.trim() : '';
  return name === 's3' || name === 'http' ? name : 'none';
}
