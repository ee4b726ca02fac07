// cloudya connect PROVIDER — gather credentials (terminal, flags, environment),
// verify them against the provider's API, store them (credentials.yaml, 0600).
// cloudya connect --list — every provider and its state.
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { CloudyaError } from '../../engine/errors.js';
import { didYouMean } from '../../engine/suggest.js';
import { PROVIDERS, PROVIDER_NAMES, findProvider, type Provider, type Settings, type Verified } from '../connect/providers.js';
import { failureKind } from '../connect/failure.js';
import { textOrJson } from '../output/format.js';

type Options = Record<string, unknown>;

async function timeoutOf(value: unknown): Promise<number> {
  const { parseDuration } = await import('../../engine/duration.js');
  try {
    // A bare number is seconds (mri hands `--timeout 5` over as the number 5).
    const ms = parseDuration(/^\d+(\.\d+)?$/.test(String(value)) ? `${String(value)}s` : String(value));
    if (ms >= 1 && ms <= 600_000) return ms;
  } catch {
    // reported below
  }
  throw new CloudyaError('E_USAGE', `--timeout wants a duration up to 10m (e.g. 10s, 1m), got '${String(value)}'`);
}

function providerOf(name: string | undefined): Provider {
  if (!name) throw new CloudyaError('E_USAGE', 'connect needs a provider', { hint: `cloudya connect PROVIDER (one of ${PROVIDER_NAMES.join(', ')}), or cloudya connect --list` });
  const p = findProvider(name);
  if (p) return p;
  const guess = didYouMean(name, PROVIDER_NAMES);
  throw new CloudyaError('E_USAGE', `unknown provider '${name}'`, { hint: `${guess ? `did you mean '${guess}'? ` : ''}providers: ${PROVIDER_NAMES.join(', ')}` });
}

/** Replaces every secret value in `text` with ***. */
function masker(provider: Provider, ...sources: Settings[]): (text: string) => string {
  const values = [...new Set(sources.flatMap((s) => provider.fields.filter((f) => f.secret && s[f.key]).map((f) => s[f.key]!)))].sort((a, b) => b.length - a.length);
  return (text) => values.reduce((t, v) => t.split(v).join('***'), text);
}

function maskError(err: unknown, mask: (t: string) => string): unknown {
  if (!(err instanceof CloudyaError)) return err;
  const cause = err.cause instanceof Error && mask(String(err.cause.stack)) === String(err.cause.stack) ? err.cause : undefined;
  // The cause label ("bad credentials: …") is ours: only what follows can hold a secret.
  const colon = failureKind(err) ? err.message.indexOf(': ') + 2 : 0;
  return new CloudyaError(err.code, err.message.slice(0, colon) + mask(err.message.slice(colon)), {
    ...(err.hint ? { hint: mask(err.hint) } : {}),
    ...(err.details ? { details: JSON.parse(mask(JSON.stringify(err.details))) as Record<string, unknown> } : {}),
    ...(cause ? { cause } : {}),
  });
}

async function verify(provider: Provider, settings: Settings, timeoutMs: number, mask: (t: string) => string, quiet: boolean): Promise<Verified> {
  if (!quiet) process.stderr.write(`checking ${provider.name} at ${mask(provider.target(settings))} …\n`);
  const run = await provider.verifier();
  try {
    return await run(settings, { timeoutMs });
  } catch (err) {
    throw maskError(err, mask);
  }
}

async function recordFailure(provider: Provider, err: unknown, stored: boolean): Promise<void> {
  const { readStates, writeStates } = await import('../connect/state.js');
  const states = readStates();
  const now = new Date().toISOString();
  const e = err instanceof CloudyaError ? err : undefined;
  states[provider.name] = { ...states[provider.name], checkedAt: now, lastError: { kind: (e && failureKind(e)) ?? 'error', message: e?.message ?? String(err), at: now, stored } };
  writeStates(states);
}

async function list(only: string | undefined, format: 'text' | 'json'): Promise<number> {
  const { readCredentials } = await import('../../engine/credentials.js');
  const { readStates } = await import('../connect/state.js');
  const { providerRows, renderTable } = await import('../connect/list.js');
  const rows = providerRows(await readCredentials(), readStates(), only ? providerOf(only) : undefined);
  if (format === 'json') {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(renderTable(rows));
  return 0;
}

async function connect(name: string | undefined, opts: Options): Promise<number> {
  const format = textOrJson(opts.output);
  if (opts.list === true) return list(name, format);
  const provider = providerOf(name);
  const timeoutMs = await timeoutOf(opts.timeout ?? '10s');
  const { readCredentials, writeCredentials, credentialsFile } = await import('../../engine/credentials.js');
  const { readStates, writeStates } = await import('../connect/state.js');
  const creds = await readCredentials();
  const stored = creds[provider.name] ?? {};
  const now = () => new Date().toISOString();

  if (opts.forget === true) {
    const states = readStates();
    const had = Boolean(creds[provider.name]);
    delete creds[provider.name];
    delete states[provider.name];
    await writeCredentials(creds);
    writeStates(states);
    if (format === 'json') process.stdout.write(JSON.stringify({ provider: provider.name, removed: had }) + '\n');
    else process.stdout.write(had ? `${provider.name}: credentials removed\n` : `${provider.name} was not configured\n`);
    return 0;
  }

  if (opts.check === true) {
    if (Object.keys(stored).length === 0) throw new CloudyaError('E_USAGE', `${provider.name} is not configured`, { hint: `run \`cloudya connect ${provider.name}\` first` });
    const mask = masker(provider, stored);
    let verified: Verified;
    try {
      verified = await verify(provider, stored, timeoutMs, mask, format === 'json');
    } catch (err) {
      await recordFailure(provider, err, true);
      throw err;
    }
    const states = readStates();
    const at = now();
    states[provider.name] = { ...states[provider.name], verifiedAt: at, checkedAt: at, identity: mask(verified.identity) };
    delete states[provider.name]!.lastError;
    writeStates(states);
    if (format === 'json') process.stdout.write(JSON.stringify({ provider: provider.name, verified: true, identity: mask(verified.identity), verifiedAt: at }) + '\n');
    else process.stdout.write(`${provider.name}: verified — ${mask(verified.identity)}\n`);
    return 0;
  }

  const { gatherSettings } = await import('../connect/input.js');
  const { terminalAsker } = await import('../connect/prompt.js');
  const sets = opts.set === undefined ? [] : (Array.isArray(opts.set) ? opts.set : [opts.set]).map(String);
  if (sets.includes('true')) throw new CloudyaError('E_USAGE', '--set wants key=value', { hint: `e.g. --set region=eu-west-3` });
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  if (interactive) process.stderr.write(`Connect ${provider.title}. Secrets are not echoed; Enter keeps the value in [brackets].\n`);
  const settings = await gatherSettings(provider, { sets, env: process.env, fromEnv: opts['from-env'] === true, stored, ask: interactive ? terminalAsker() : undefined });
  const mask = masker(provider, settings, stored);

  let verified: Verified | undefined;
  if (opts.verify !== false) {
    try {
      verified = await verify(provider, settings, timeoutMs, mask, format === 'json');
    } catch (err) {
      await recordFailure(provider, err, false);
      if (err instanceof CloudyaError) {
        throw new CloudyaError(err.code, err.message, { hint: `${err.hint ?? ''}; nothing was saved (--no-verify saves without checking)`, ...(err.details ? { details: err.details } : {}) });
      }
      throw err;
    }
  }
  creds[provider.name] = settings;
  await writeCredentials(creds);
  const states = readStates();
  const at = now();
  states[provider.name] = verified ? { savedAt: at, checkedAt: at, verifiedAt: at, identity: mask(verified.identity) } : { savedAt: at };
  writeStates(states);
  if (format === 'json') {
    process.stdout.write(JSON.stringify({ provider: provider.name, saved: true, file: credentialsFile(), verified: Boolean(verified), identity: verified ? mask(verified.identity) : null, verifiedAt: verified ? at : null }) + '\n');
  } else {
    process.stdout.write(`${provider.name}: ${verified ? `verified — ${mask(verified.identity)}` : 'saved without verification'}; credentials in ${credentialsFile()}\n`);
  }
  return 0;
}

export default {
  register(prog: sade.Sade) {
    prog
      .command('connect [provider]')
      .describe(`Store and verify credentials for a provider (${PROVIDERS.map((p) => p.name).join(', ')}); --list shows them all.`)
      // A false default makes mri parse these as booleans: `--list proxmox` keeps `proxmox` as the provider.
      .option('--list', 'Show every provider: configured, verified when, last error', false)
      .option('--set', 'A setting: --set key=value (repeatable; secrets go in CLOUDYA_CONNECT_<KEY> instead)')
      .option('--from-env', 'Take values from the provider’s usual variables (AWS_ACCESS_KEY_ID, OS_PASSWORD, PM_API_TOKEN_SECRET…)', false)
      .option('--no-verify', 'Save without checking the credentials against the provider')
      .option('--check', 'Verify the stored credentials again; change nothing', false)
      .option('--forget', 'Remove the stored credentials of the provider', false)
      .option('--timeout', 'How long to wait for the provider’s API', '10s')
      .option('--output', 'text or json', 'text')
      .example('connect proxmox --set url=https://pve:8006 --set token_id=root@pam!ci')
      .example('connect aws --from-env')
      .example('connect --list --output json')
      .action((provider: string | undefined, opts: Options) => connect(provider, opts));
  },
} satisfies CommandModule;
