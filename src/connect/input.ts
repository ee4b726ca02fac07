// Gathers a provider's settings from, in order: --set key=value, the
// CLOUDYA_CONNECT_<KEY> environment, the provider's own environment variables
// (--from-env), the terminal (when there is one), what is stored, defaults.
// Secrets are refused on the command line: argv is readable by every user.
import { CloudyaError } from '../../engine/errors.js';
import { didYouMean } from '../../engine/suggest.js';
import { PROVIDER_ENV } from '../../engine/credentials.js';
import { envName, type Field, type Provider, type Settings } from './providers.js';
import type { Asker } from './prompt.js';

export interface GatherOptions {
  sets: string[];
  env: NodeJS.ProcessEnv;
  fromEnv: boolean;
  stored: Settings;
  /** Present when a person can be asked. */
  ask?: Asker | undefined;
}

function parseSets(provider: Provider, sets: string[]): Settings {
  const out: Settings = {};
  const keys = provider.fields.map((f) => f.key);
  for (const item of sets) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new CloudyaError('E_USAGE', `--set wants key=value, got '${item.includes('=') ? item : item.slice(0, 40)}'`, { hint: `keys for ${provider.name}: ${keys.join(', ')}` });
    const key = item.slice(0, eq).trim();
    const field = provider.fields.find((f) => f.key === key);
    if (!field) {
      const guess = didYouMean(key, keys);
      throw new CloudyaError('E_USAGE', `${provider.name} has no setting '${key}'`, { hint: guess ? `did you mean '${guess}'? (keys: ${keys.join(', ')})` : `keys for ${provider.name}: ${keys.join(', ')}` });
    }
    if (field.secret) {
      throw new CloudyaError('E_USAGE', `${key} is a secret and is not accepted on the command line (any user can read it in the process list)`, { hint: `put it in the environment as ${envName(key)}, or run \`cloudya connect ${provider.name}\` on a terminal to type it` });
    }
    out[key] = item.slice(eq + 1);
  }
  return out;
}

function fromEnvironment(provider: Provider, env: NodeJS.ProcessEnv, vendor: boolean): Settings {
  const out: Settings = {};
  const vendorNames = PROVIDER_ENV[provider.name] ?? {};
  for (const f of provider.fields) {
    const own = env[envName(f.key)];
    const theirs = vendor && vendorNames[f.key] ? env[vendorNames[f.key]!] : undefined;
    if (own) out[f.key] = own;
    else if (theirs) out[f.key] = theirs;
  }
  // The SDKs' name for a key file, beside terraform's GOOGLE_CREDENTIALS.
  if (vendor && provider.name === 'gcp' && !out.credentials_json && !out.credentials_file && env.GOOGLE_APPLICATION_CREDENTIALS) out.credentials_file = env.GOOGLE_APPLICATION_CREDENTIALS;
  return out;
}

function defaultOf(field: Field, values: Settings): string | undefined {
  return typeof field.default === 'function' ? field.default(values) : field.default;
}

function checked(provider: Provider, field: Field, value: string, values: Settings): string {
  if (!field.check) return value;
  try {
    return field.check(value, values);
  } catch (err) {
    // The message never quotes a secret's value.
    const why = field.secret ? (err as Error).message.replace(value, '***') : (err as Error).message;
    throw new CloudyaError('E_USAGE', `${provider.name} ${field.key}: ${why}`, { hint: `fix the value and run \`cloudya connect ${provider.name}\` again` });
  }
}

async function askField(provider: Provider, field: Field, ask: Asker, stored: string | undefined, values: Settings): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const answer = field.secret ? await ask.secret(field.prompt, Boolean(stored)) : await ask.line(field.prompt, stored ?? defaultOf(field, values));
    const value = answer === '' ? (field.secret ? stored : undefined) : answer;
    if (value === undefined || value === '') return undefined;
    try {
      return checked(provider, field, value, values);
    } catch (err) {
      if (attempt >= 2) throw err;
      ask.note(`  ${(err as CloudyaError).message}`);
    }
  }
}

/** The settings to verify and store. Throws E_USAGE for unknown keys, bad values, or required values nobody gave. */
export async function gatherSettings(provider: Provider, opts: GatherOptions): Promise<Settings> {
  const given = { ...fromEnvironment(provider, opts.env, opts.fromEnv), ...parseSets(provider, opts.sets) };
  const values: Settings = {};
  for (const field of provider.fields) {
    if (field.when && !field.when(values)) continue;
    // A value an earlier field's check filled in (the key file's content, a port from a URL).
    const preset = values[field.key];
    let value: string | undefined;
    if (given[field.key] !== undefined && given[field.key] !== '') value = checked(provider, field, given[field.key]!, values);
    else if (preset !== undefined) value = preset;
    else if (opts.ask && !field.advanced) value = await askField(provider, field, opts.ask, opts.stored[field.key], values);
    else {
      const fallback = opts.stored[field.key] ?? defaultOf(field, values);
      value = fallback === undefined || fallback === '' ? undefined : checked(provider, field, fallback, values);
    }
    if (value === undefined || field.inputOnly) continue;
    values[field.key] = value;
  }
  const missing = provider.fields.filter((f) => f.required && !values[f.key] && (!f.when || f.when(values)));
  if (missing.length > 0) {
    const how = missing.map((f) => (f.secret ? `${envName(f.key)}=… in the environment` : `--set ${f.key}=…`)).join(', ');
    throw new CloudyaError('E_USAGE', `connect ${provider.name} needs ${missing.map((f) => f.key).join(', ')}`, { hint: `give ${how}, or run it on a terminal to be asked; nothing was saved` });
  }
  return values;
}
