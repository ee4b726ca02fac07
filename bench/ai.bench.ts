// Time to first streamed token on screen, above the server's own latency: a
// local Chat Completions server waits SERVER_DELAY ms before its first token;
// the figure is (token visible) − (question sent) − SERVER_DELAY. The line chat
// is read through a pipe; the full-screen chat through tmux capture-pane
// (polled every 10 ms, so that figure carries up to ~10 ms of polling).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { BenchContext } from './run.js';
import { startAiServer } from '../test/ai/ai-server.js';
import { startTerm } from '../test/ai/tmux.js';

const SERVER_DELAY = 300;
const QUESTIONS = 5;

export default async function (b: BenchContext): Promise<void> {
  const server = await startAiServer();
  let n = 0;
  server.fallback = () => ({ stream: [`tok${++n}-start `, 'and the rest.'], delayMs: SERVER_DELAY });
  const env = { ...b.env, CLOUDYA_HOME: join(b.work, 'ai-home'), OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: 'sk-bench', CLOUDYA_AI_MODEL: 'bench', NO_COLOR: '1' } as Record<string, string>;
  try {
    // Line chat over pipes: first question (loads the openai client) and later ones.
    const child = spawn(process.execPath, [b.cli, 'chat', '--no-graphics'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const waiters: { re: RegExp; done: (t: number) => void }[] = [];
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const t = performance.now();
      for (const w of [...waiters]) if (w.re.test(out)) waiters.splice(waiters.indexOf(w), 1), w.done(t);
    });
    const until = (re: RegExp) => new Promise<number>((r) => (re.test(out) ? r(performance.now()) : waiters.push({ re, done: r })));
    await until(/you › $/);
    const line: number[] = [];
    for (let i = 0; i < QUESTIONS; i++) {
      const want = new RegExp(`tok${n + 1}-start`);
      const t0 = performance.now();
      child.stdin.write(`question ${i}\n`);
      line.push((await until(want)) - t0 - SERVER_DELAY);
      await until(/and the rest\.\nyou › $/);
    }
    child.stdin.end('quit\n');
    await new Promise((r) => child.on('close', r));
    b.report('chat --no-graphics: first token above server latency, 1st question', b.fmt(line[0]!));
    b.report(`chat --no-graphics: same, later questions (median of ${QUESTIONS - 1})`, b.fmt(b.median(line.slice(1))));

    // Full screen (ink) in tmux.
    const term = startTerm([process.execPath, b.cli, 'chat'], { ...env, TERM: 'xterm-256color' });
    try {
      await term.waitFor(/Enter: send/, 60_000);
      const screen: number[] = [];
      for (let i = 0; i < QUESTIONS; i++) {
        const want = `tok${n + 1}-start`;
        term.type(`question ${i}`);
        const t0 = performance.now();
        term.keys('Enter');
        for (;;) {
          if (term.screen().includes(want)) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        screen.push(performance.now() - t0 - SERVER_DELAY);
        await term.waitFor(/and the rest\.[\s\S]*Enter: send/);
      }
      b.report('chat (full screen): first token on screen above server latency, 1st', b.fmt(screen[0]!));
      b.report(`chat (full screen): same, later questions (median of ${QUESTIONS - 1})`, b.fmt(b.median(screen.slice(1))));
    } finally {
      term.close();
    }
  } finally {
    await server.close();
  }
}
