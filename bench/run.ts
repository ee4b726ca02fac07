// npm run bench — prints the figures the README records. Times whole processes
// (median of several runs) so startup costs count, as a user would feel them.
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNNER_FLAGS } from '../engine/exec.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist', 'src', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'cloudya-bench-'));
const env = { ...process.env, CLOUDYA_HOME: join(work, 'home'), NO_COLOR: '1' };

function time(args: string[], runs: number, opts: { input?: string } = {}): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(args[0]!, args.slice(1), { env, stdio: ['pipe', 'ignore', 'pipe'], input: opts.input ?? '' });
    samples.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr?.toString().slice(0, 500)}`);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

function workflow(n: number, chain: boolean, concurrency: number): string {
  let s = `apiVersion: cloudya/v1\nkind: Workflow\nname: bench-${n}\nconcurrency: ${concurrency}\nsteps:\n`;
  for (let i = 0; i < n; i++) s += `  - id: s${i}\n    type: sandbox\n${chain && i ? `    needs: [s${i - 1}]\n` : ''}    with: { argv: ["true"], isolation: none }\n`;
  return s;
}

function richWorkflow(n: number): string {
  let s = 'apiVersion: cloudya/v1\nkind: Workflow\nname: big\nparams:\n  x: { type: string, default: hi }\ndefaults:\n  timeout: 5m\nsteps:\n';
  for (let i = 0; i < n; i++) {
    s += `  - id: s${i}\n    type: sandbox\n${i ? `    needs: [s${i - 1}]\n` : ''}    with:\n      command: "echo {{params.x}} ${i}${i ? ` {{steps.s${i - 1}.outputs.exitCode}}` : ''}"\n      env: { A: "1", B: "two" }\n      isolation: none\n    retry: { attempts: 3, backoff: exponential, delay: 1s }\n    timeout: 30s\n`;
  }
  return s;
}

// The baseline: a Node script that spawns the same processes, N at a time, the way
// the engine's process runner does (child_process.spawn, its own process group,
// stdout and stderr piped and read), with no engine around it.
const baseline = (n: number, conc: number) => `
const { spawn } = await import('node:child_process');
let next = 0;
const one = () => new Promise((r) => {
  const c = spawn('true', [], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  c.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  c.stderr.setEncoding('utf8').on('data', (d) => (out += d));
  c.on('close', r);
});
await Promise.all(Array.from({ length: ${conc} }, async () => { while (next++ < ${n}) await one(); }));
`;

/** What bench/<area>.bench.ts modules receive. */
export interface BenchContext {
  root: string;
  cli: string;
  /** A temp dir removed at the end. */
  work: string;
  /** Environment with CLOUDYA_HOME inside `work`. */
  env: Record<string, string | undefined>;
  runs: number;
  /** Median wall time of `runs` whole-process runs of argv (throws on a non-zero exit). */
  time(argv: string[], runs: number, opts?: { input?: string }): number;
  report(label: string, value: string): void;
  median(xs: number[]): number;
  fmt(ms: number): string;
}

const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
const lines: string[] = [];
const report = (label: string, value: string) => {
  lines.push(`${label.padEnd(58)} ${value}`);
  process.stdout.write(`${label.padEnd(58)} ${value}\n`);
};

const runs = Number(process.env.BENCH_RUNS ?? 7);
process.stdout.write(`cloudya bench (median of ${runs} runs unless noted; ${process.version}, ${process.arch})\n\n`);

// BENCH_ONLY=core,sandbox,… runs only those areas ("core" is this file's figures).
const only = process.env.BENCH_ONLY?.split(',');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
if (!only || only.includes('core')) {
const nodeFloor = time([process.execPath, '-e', '0'], runs * 3);
const version = time([process.execPath, cli, '--version'], runs * 3);
report('node -e 0', fmt(nodeFloor));
report('cloudya --version (cold process)', `${fmt(version)}  (${(version / nodeFloor).toFixed(2)}× node -e 0; target ≤ 1.5×)`);

const big = join(work, 'big.yaml');
writeFileSync(big, richWorkflow(1000));
const validate = time([process.execPath, cli, 'validate', big], runs);
report('cloudya validate, 1000-step workflow (whole process)', `${fmt(validate)}  (target < 500 ms)`);

// The steps say isolation: none: these figures measure the engine, not the sandbox
// (bench/sandbox.bench.ts measures that). Engine and baseline alternate, and the overhead is the median of the per-pair
// differences: this VM's speed drifts by ±30% over a minute, which would swamp
// a comparison of two separate series.
const pairs = Number(process.env.BENCH_PAIRS ?? 3);
for (const [label, chain, conc] of [['1000 sequential no-op steps', true, 1], ['1000 independent no-op steps, concurrency 8', false, 8]] as const) {
  const file = join(work, `wf-${conc}.yaml`);
  writeFileSync(file, workflow(1000, chain, conc));
  const engine: number[] = [];
  const direct: number[] = [];
  const lean: number[] = [];
  for (let i = 0; i < pairs; i++) {
    direct.push(time([process.execPath, '--input-type=module', '-e', baseline(1000, conc)], 1));
    engine.push(time([process.execPath, cli, 'run', file, '--output', 'json'], 1));
    // The same script on the process runner's V8 flags: forks from it are cheaper too, so this
    // difference is the engine's overhead without what the lean runner wins back.
    lean.push(time([process.execPath, ...RUNNER_FLAGS, '--input-type=module', '-e', baseline(1000, conc)], 1));
  }
  const over = engine.map((e, i) => (e - direct[i]!) / 1000);
  const overLean = engine.map((e, i) => (e - lean[i]!) / 1000);
  report(`${label}: cloudya run (median of ${pairs})`, fmt(median(engine)));
  report(`${label}: same spawns, no engine`, fmt(median(direct)));
  report(`${label}: engine overhead per step`, `${fmt(median(over))}  (pairs: ${over.map((o) => o.toFixed(2)).join(' ')}; target < 2 ms, state persisted)`);
  report(`${label}: overhead over the baseline on the runner's flags`, `${fmt(median(overLean))}  (pairs: ${overLean.map((o) => o.toFixed(2)).join(' ')})`);
}
}

// Each area adds its figures in bench/<area>.bench.ts: a default export
// `(b: BenchContext) => Promise<void>` that calls b.report(label, value).
const { readdirSync } = await import('node:fs');
const benchDir = dirname(fileURLToPath(import.meta.url));
for (const f of readdirSync(benchDir).filter((f) => f.endsWith('.bench.js')).sort()) {
  const area = f.replace(/\.bench\.js$/, '');
  if (only && !only.includes(area)) continue;
  process.stdout.write(`\n[${area}]\n`);
  const mod = (await import(join(benchDir, f))) as { default: (b: BenchContext) => Promise<void> };
  await mod.default({ root, cli, work, env, runs, time, report, median, fmt });
}
rmSync(work, { recursive: true, force: true });
