// Runs every compiled `*.test.js` file in its own Node process (two at a time),
// echoes its output, and ends with the line CI reads: `N passed, N failed`,
// counted from each file's uvu totals. A file that dies without a summary
// counts as one failure, so a crash can never pass silently.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ? new RegExp(process.argv[2]) : null;

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findTests(p));
    else if (e.name.endsWith('.test.js') && (!filter || filter.test(p))) out.push(p);
  }
  return out.sort();
}

interface FileResult { file: string; passed: number; failed: number; output: string; ms: number }

function runFile(file: string): Promise<FileResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => {
      const total = /Total:\s+(\d+)/.exec(output);
      const passed = /Passed:\s+(\d+)/.exec(output);
      const rel = relative(here, file);
      if (!total || !passed) {
        resolve({ file: rel, passed: 0, failed: 1, output: output + `\n[runner] ${rel} exited ${code} without a uvu summary\n`, ms: Date.now() - started });
        return;
      }
      const t = Number(total[1]);
      const p = Number(passed[1]);
      // A non-zero exit with all assertions passing still counts as a failure.
      const failed = t - p + (code !== 0 && t === p ? 1 : 0);
      resolve({ file: rel, passed: p, failed, output, ms: Date.now() - started });
    });
  });
}

const files = findTests(here).filter((f) => statSync(f).isFile());
const jobs = Number(process.env.TEST_JOBS ?? 2);
const results: FileResult[] = [];
let next = 0;
async function worker(): Promise<void> {
  while (next < files.length) {
    const file = files[next++]!;
    const r = await runFile(file);
    results.push(r);
    process.stdout.write(`\n── ${r.file} (${r.passed} passed, ${r.failed} failed, ${(r.ms / 1000).toFixed(1)}s)\n${r.output.trim()}\n`);
  }
}
await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker));

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const bad = results.filter((r) => r.failed > 0).map((r) => r.file);
if (files.length === 0) process.stdout.write('no test files found\n');
if (bad.length) process.stdout.write(`\nfailing files: ${bad.join(', ')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || files.length === 0 ? 1 : 0);
