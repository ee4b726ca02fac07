// `chat --no-graphics`: a plain line chat for any terminal or pipe. `quit`,
// `exit` or `q` leaves, `clear` starts over; inputs are saved to
// ~/.cloudya/chat_history and recalled with the arrow keys.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { cloudyaHome } from '../../engine/config.js';
import { CloudyaError } from '../../engine/errors.js';
import { ChatSession } from './chat-session.js';
import type { ExecOptions } from './chat-exec.js';

const HISTORY_MAX = 500;

export function historyFile(): string {
  return join(cloudyaHome(), 'chat_history');
}

function loadHistory(): string[] {
  try {
    return readFileSync(historyFile(), 'utf8').split('\n').filter(Boolean).slice(-HISTORY_MAX).reverse();
  } catch {
    return [];
  }
}

export function saveHistory(line: string): void {
  mkdirSync(cloudyaHome(), { recursive: true, mode: 0o700 });
  appendFileSync(historyFile(), line.replace(/\n/g, ' ') + '\n', { mode: 0o600 });
}

export async function lineChat(exec: ExecOptions | undefined): Promise<number> {
  const session = await ChatSession.create();
  const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: tty, history: loadHistory(), historySize: HISTORY_MAX });
  const out = (s: string) => void process.stdout.write(s);
  out(`cloudya chat — ${session.label}${exec ? ' — -e: commands run in the sandbox after validation' : ''}\ntype quit, exit or q to leave, clear to start over\n`);
  let turn: AbortController | undefined;
  rl.on('SIGINT', () => (turn ? turn.abort() : rl.close()));
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (question: string): Promise<string | undefined> => {
    out(question);
    const r = await lines.next();
    return r.done ? undefined : String(r.value);
  };
  for (;;) {
    const raw = await ask('you › ');
    if (raw === undefined) break;
    const text = raw.trim();
    if (!text) continue;
    if (['quit', 'exit', 'q'].includes(text.toLowerCase())) break;
    saveHistory(text);
    if (text.toLowerCase() === 'clear') {
      session.clear();
      out(tty ? '\x1b[2J\x1b[H' : '');
      out('(conversation cleared)\n');
      continue;
    }
    out('cloudya › ');
    turn = new AbortController();
    try {
      const r = await session.send(text, (piece) => out(piece), turn.signal);
      out('\n');
      if (exec && r.commands.length) await offerToRun(r.commands, exec, ask, out);
    } catch (err) {
      out('\n');
      if (turn.signal.aborted) out('(answer stopped)\n');
      else if (err instanceof CloudyaError) out(`error ${err.code} ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}\n`);
      else throw err;
    } finally {
      turn = undefined;
    }
  }
  rl.close();
  out('bye\n');
  return 0;
}

async function offerToRun(commands: string[], exec: ExecOptions, ask: (q: string) => Promise<string | undefined>, out: (s: string) => void): Promise<void> {
  const { describeCommands, executeCommands } = await import('./chat-exec.js');
  const { lines, verdicts } = await describeCommands(commands, exec);
  out(`commands:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  const denied = verdicts.available && verdicts.verdict === 'deny';
  let approved = exec.yes;
  if (!denied && !approved) approved = /^y(es)?$/i.test((await ask(`run ${commands.length === 1 ? 'it' : `these ${commands.length}`} in the sandbox? [y/N] `))?.trim() ?? '');
  if (!denied && !approved) return void out('not run\n');
  const summary = await executeCommands(commands, approved, exec, (l) => out(`  │ ${l}\n`));
  out(summary.join('\n') + '\n');
}
