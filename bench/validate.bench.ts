// The validator's cost: the one-time start (wasm parser, policy load with its
// examples checked), then the time per command over the test corpus.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { BenchContext } from './run.js';

export default async function (b: BenchContext): Promise<void> {
  process.env.CLOUDYA_HOME = join(b.work, 'validate-home');
  const dir = join(b.root, 'test', 'fixtures', 'validate-corpus');
  const dangerous = (load(readFileSync(join(dir, 'dangerous.yaml'), 'utf8')) as { commands: Array<{ command: string }> }).commands.map((c) => c.command);
  const benign = (load(readFileSync(join(dir, 'benign.yaml'), 'utf8')) as { commands: string[] }).commands;
  const corpus = [...dangerous, ...benign];

  let t = performance.now();
  const { initShellParser } = await import('../steps/validate/shell-parser.js');
  await initShellParser();
  b.report('validate: parser start (web-tree-sitter + bash grammar, once)', b.fmt(performance.now() - t));
  t = performance.now();
  const { loadPolicy, judgeCommands } = await import('../steps/validate/judge.js');
  const policy = await loadPolicy();
  b.report('validate: default policy load (once per process)', b.fmt(performance.now() - t));
  t = performance.now();
  await loadPolicy({ examples: 'all' });
  b.report('validate: default policy load checking all its examples', b.fmt(performance.now() - t));

  await judgeCommands(corpus, policy); // warm-up
  const rounds: number[] = [];
  for (let i = 0; i < Math.max(3, b.runs); i++) {
    t = performance.now();
    await judgeCommands(corpus, policy);
    rounds.push((performance.now() - t) / corpus.length);
  }
  b.report(`validate: per command, ${corpus.length}-command corpus (median of ${rounds.length})`, b.fmt(b.median(rounds)));
  const long = corpus.join('\n');
  t = performance.now();
  await judgeCommands([long], policy);
  b.report(`validate: the whole corpus as one ${long.length}-char script`, b.fmt(performance.now() - t));
}
