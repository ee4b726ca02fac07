#!/usr/bin/env node
// The bin. It answers --version before importing anything, and otherwise
// imports sade plus only the command module the first argument names.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv[0] === '--version' || argv[0] === '-v' || argv[0] === 'version') {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  process.stdout.write(`cloudya ${pkg.version}\n`);
  process.exit(0);
}

// `cloudya run x.yaml | head`: a reader that goes away is not an error, and must
// not stop a run half-way — later output is dropped, the run goes on to its end.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stream.write = (() => true) as typeof stream.write;
  });
}

const { main } = await import('./main.js');
process.exitCode = await main(process.argv);
