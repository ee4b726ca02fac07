// exec's per-call line callback (`onLine`) and `echo: false`, which let a step
// parse a command's output as it arrives (e.g. terraform -json events) and
// report it itself instead of flooding the log.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execCommand, killAllChildren } from '../../engine/exec.js';

const mask = (s: string) => s.replaceAll('s3cret', '***');
const script = 'echo one; echo "two s3cret"; echo err >&2; printf last';

test('onLine gets every line, masked, as well as the log', async () => {
  const log: string[] = [];
  const mine: string[] = [];
  const r = await execCommand({ signal: new AbortController().signal, mask, onLine: (s, l) => log.push(`${s}:${l}`) }, 'sh', ['-c', script], {
    onLine: (s, l) => mine.push(`${s}:${l}`),
  });
  assert.equal(mine.filter((l) => l.startsWith('stdout')), ['stdout:one', 'stdout:two ***', 'stdout:last']);
  assert.ok(mine.includes('stderr:err'));
  assert.equal(log.sort(), mine.sort());
  // The result keeps real values: masking is for what leaves the engine.
  assert.is(r.stdout, 'one\ntwo s3cret\nlast');
});

test('echo: false keeps lines out of the log; onLine still gets them', async () => {
  const log: string[] = [];
  const mine: string[] = [];
  await execCommand({ signal: new AbortController().signal, mask, onLine: (s, l) => log.push(l) }, 'sh', ['-c', script], { echo: false, onLine: (s, l) => mine.push(l) });
  assert.equal(log, []);
  assert.is(mine.length, 4);
});

test.after(() => killAllChildren());
test.run();
