// Questions on the terminal (stderr), one at a time. Secrets are read in raw
// mode and never echoed, not even as stars.
import { CloudyaError } from '../../engine/errors.js';

export interface Asker {
  /** A visible answer; Enter gives `def`. */
  line(question: string, def?: string): Promise<string>;
  /** A hidden answer; Enter gives '' (keep what is stored). */
  secret(question: string, stored: boolean): Promise<string>;
  note(text: string): void;
}

export function terminalAsker(): Asker {
  return {
    async line(question, def) {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      // Ctrl-C or Ctrl-D: a closed interface never settles its question, so abort it.
      const ctl = new AbortController();
      let answered = false;
      rl.on('SIGINT', () => rl.close());
      rl.on('close', () => {
        if (!answered) ctl.abort();
      });
      try {
        const answer = await rl.question(`${question}${def ? ` [${def}]` : ''}: `, { signal: ctl.signal });
        answered = true;
        return answer.trim() === '' ? (def ?? '') : answer.trim();
      } catch (err) {
        if (ctl.signal.aborted) {
          process.stderr.write('\n');
          throw new CloudyaError('E_INTERRUPTED', 'interrupted; nothing was saved');
        }
        throw err;
      } finally {
        answered = true;
        rl.close();
      }
    },
    secret(question, stored) {
      return readHidden(`${question}${stored ? ' [stored; Enter keeps it]' : ''} (hidden): `);
    },
    note(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}

function readHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new CloudyaError('E_INTERRUPTED', 'interrupted; nothing was saved'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch === '\u0015') value = '';
        else if (ch >= ' ') value += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}
