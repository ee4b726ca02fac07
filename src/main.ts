// Command discovery and the one top-level catch.
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join, basename, extname, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import sade from 'sade';
import { cloudyaHome } from './home.js';
import { printError } from './output/errors.js';
import { CloudyaError } from '../engine/errors.js';
import { didYouMean } from '../engine/suggest.js';

/** A command module: a file in src/commands/ (or ~/.cloudya/commands/) whose default export registers its verbs. */
export interface CommandModule {
  register(prog: sade.Sade): void;
}

/** What an action returns: an exit code, or nothing for 0. */
export type ActionResult = Promise<number | void> | number | void;

export function readVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const builtinDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

function listCommands(): Map<string, string> {
  const found = new Map<string, string>();
  const scan = (dir: string, exts: string[]) => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir)) {
      if (!exts.includes(extname(f)) || f.endsWith('.d.ts') || f.startsWith('_')) continue;
      const name = basename(f, extname(f));
      if (!found.has(name)) found.set(name, join(dir, f));
    }
  };
  scan(builtinDir, ['.js']);
  // User commands cannot shadow built-ins.
  scan(join(cloudyaHome(), 'commands'), ['.js', '.mjs']);
  return found;
}

async function loadInto(prog: sade.Sade, file: string, tolerant = false): Promise<void> {
  let mod: { default?: CommandModule; register?: CommandModule['register'] };
  try {
    mod = (await import(pathToFileURL(file).href)) as typeof mod;
  } catch (err) {
    const msg = `cannot load command module ${file}: ${err instanceof Error ? err.message : String(err)}`;
    // Listing all commands (help, a typo): one broken plug-in must not hide the others.
    if (tolerant) {
      process.stderr.write(`warning: ${msg}; ignored\n`);
      return;
    }
    throw new CloudyaError('E_USAGE', msg, { hint: 'fix or remove that file', cause: err });
  }
  const register = mod.default?.register ?? mod.register;
  if (typeof register !== 'function') {
    process.stderr.write(`warning: ${file} is not a cloudya command module (no register export); ignored\n`);
    return;
  }
  register(prog);
}

class UsageSignal extends Error {
  constructor(readonly text: string) { super(text); }
}

/** mri turns `--no-rollback` into `rollback: false`; make `rollback` a known key wherever `--no-rollback` is declared. */
function negatedDefaults(prog: sade.Sade): Record<string, undefined> {
  const tree = (prog as unknown as { tree: Record<string, { options?: string[][] }> }).tree;
  const out: Record<string, undefined> = {};
  for (const cmd of Object.values(tree)) {
    for (const [flag] of cmd.options ?? []) {
      const m = /--no-([\w-]+)/.exec(flag ?? '');
      if (m) out[m[1]!] = undefined;
    }
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const prog = sade('cloudya');
  prog.version(readVersion());
  const commands = listCommands();
  const first = argv[2];
  try {
    const own = first && !first.startsWith('-') ? commands.get(first) : undefined;
    if (own) await loadInto(prog, own);
    else for (const file of commands.values()) await loadInto(prog, file, true);

    // sade prints usage errors itself and exits 1: catch that and report it the
    // cloudya way (`error E_USAGE …`, exit 2).
    const realExit = process.exit;
    const realError = console.error;
    let usage: string | undefined;
    console.error = (msg?: unknown) => { usage = String(msg); };
    process.exit = ((code?: number) => {
      if (usage !== undefined) throw new UsageSignal(usage);
      return realExit(code);
    }) as typeof process.exit;
    let parsed;
    try {
      parsed = prog.parse(argv, { lazy: true, unknown: (flag: string) => `Unknown option ${flag}`, default: negatedDefaults(prog) });
    } catch (err) {
      if (!(err instanceof UsageSignal)) throw err;
      const message = /ERROR\s*\n\s*(.+)/.exec(err.text)?.[1]?.trim() ?? 'bad usage';
      const cmd = own ? ` ${first}` : '';
      const guess = !own && first && !first.startsWith('-') ? didYouMean(first, [...commands.keys()]) : undefined;
      throw new CloudyaError('E_USAGE', message.replace(/!$/, ''), { hint: guess ? `did you mean \`cloudya ${guess}\`?` : `see \`cloudya${cmd} --help\`` });
    } finally {
      process.exit = realExit;
      console.error = realError;
    }
    if (!parsed) return process.exitCode === undefined || process.exitCode === 0 ? 0 : Number(process.exitCode);
    const code = await (parsed.handler as (...a: unknown[]) => ActionResult)(...parsed.args);
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    return printError(err);
  }
}
