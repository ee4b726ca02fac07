// Where cloudya keeps its data (~/.cloudya, or $CLOUDYA_HOME) and the user's
// settings in ~/.cloudya/config.json. Steps and commands both read these.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { CloudyaError } from './errors.js';

export function cloudyaHome(): string {
  return process.env.CLOUDYA_HOME || join(homedir(), '.cloudya');
}

/** Known settings; anything else in the file is kept and ignored. */
export interface CloudyaConfig {
  terraform_path?: string;
  ansible_path?: string;
  /** The `ai` step: model name, OpenAI-compatible base URL, API key. */
  ai?: { model?: string; base_url?: string; api_key?: string };
  [key: string]: unknown;
}

/** Reads ~/.cloudya/config.json; a missing file is an empty config, a broken one a clear error. */
export function readConfig(home = cloudyaHome()): CloudyaConfig {
  const file = join(home, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return value as CloudyaConfig;
  } catch (err) {
    throw new CloudyaError('E_CONFIG', `${file}: ${(err as Error).message}`, { hint: 'fix the file (it must be a JSON object) or remove it' });
  }
}
