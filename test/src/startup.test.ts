// Fast start (STYLE §9): each command loads only what it needs. Times are never
// asserted here; what is loaded is, because that is what startup time follows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, FIXTURES, ROOT, tmpDir } from '../helpers.js';

function loaded(args: string[]): string[] {
  const dir = tmpDir();
  const file = join(dir, 'trace.txt');
  const r = spawnSync(process.execPath, ['--import', join(FIXTURES, 'startup', 'trace.mjs'), CLI, ...args], {
    env: { ...process.env, TRACE_FILE: file, CLOUDYA_HOME: join(dir, 'home'), NO_COLOR: '1' },
    encoding: 'utf8',
  });
  assert.ok(r.status === 0 || r.status === 2, `${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

const packages = (mods: string[]) => [...new Set(mods.map((m) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(m)?.[1]).filter((p): p is string => Boolean(p)))].sort();

test('--version imports no package and no other module of ours', () => {
  const mods = loaded(['--version']);
  assert.equal(packages(mods), []);
  assert.ok(!mods.some((m) => m.includes('/dist/') && !m.endsWith('/dist/src/cli.js')), mods.join('\n'));
});

test('validate loads neither the engine runtime nor the step runtime', () => {
  const pk = packages(loaded(['validate', join(ROOT, 'examples', 'hello.yaml')]));
  for (const heavy of ['xstate', 'pino', 'p-queue', 'log-update', 'yaml']) assert.not.ok(pk.includes(heavy), `validate loaded ${heavy}: ${pk.join(', ')}`);
});

test('runs list loads no workflow tooling', () => {
  const pk = packages(loaded(['runs']));
  for (const heavy of ['xstate', 'pino', 'ajv', 'handlebars', 'js-yaml', 'yaml', 'log-update']) assert.not.ok(pk.includes(heavy), `runs loaded ${heavy}: ${pk.join(', ')}`);
});

test('the tracer sees what a run loads (control: the checks above can fail)', () => {
  const pk = packages(loaded(['run', join(ROOT, 'examples', 'hello.yaml'), '--output', 'json']));
  for (const needed of ['xstate', 'pino', 'p-queue']) assert.ok(pk.includes(needed), `run did not load ${needed}: ${pk.join(', ')}`);
});

test.run();
