// Drives a command in a real terminal: tmux (own server socket) with send-keys
// and capture-pane. The pane keeps the command's exit status on screen.
import { execFileSync } from 'node:child_process';

let n = 0;

export interface Term {
  screen(): string;
  keys(...keys: string[]): void;
  /** Types text literally (no key names). */
  type(text: string): void;
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  waitUntil(fn: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  close(): void;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function startTerm(argv: string[], env: Record<string, string>, size = { cols: 120, rows: 40 }): Term {
  const socket = `cloudya-test-${process.pid}-${n++}`;
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const envs = Object.entries(env).map(([k, v]) => `${k}=${q(v)}`).join(' ');
  // A person's terminal: no CI markers (CI=true in the test run would make ink draw nothing until exit).
  const cmd = `env -u CI -u CONTINUOUS_INTEGRATION ${envs} ${argv.map(q).join(' ')}; echo "EXITED:$?"; sleep 600`;
  tmux('new-session', '-d', '-x', String(size.cols), '-y', String(size.rows), '-s', 'main', cmd);
  const screen = () => tmux('capture-pane', '-p', '-t', 'main');
  const waitUntil = async (fn: (s: string) => boolean, what: string, timeoutMs = 30_000) => {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      last = screen();
      if (fn(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${what}; screen:\n${last}`);
  };
  return {
    screen,
    keys: (...keys) => void tmux('send-keys', '-t', 'main', ...keys),
    type: (text) => void tmux('send-keys', '-t', 'main', '-l', text),
    waitFor: (re, timeoutMs) => waitUntil((s) => re.test(s), String(re), timeoutMs),
    waitUntil,
    close: () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
}
