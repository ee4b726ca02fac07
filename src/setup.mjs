#!/usr/bin/env node
// One-command setup: npm packages, Debian packages the steps drive, and the build.
// Plain JavaScript on purpose: it runs before anything is installed or compiled.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const say = (msg) => { if (!quiet) process.stderr.write(`setup: ${msg}\n`); };
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit', ...opts });
  if (r.status !== 0) {
    process.stderr.write(`setup: '${cmd} ${args.join(' ')}' failed (exit ${r.status})\n`);
    process.exit(r.status ?? 1);
  }
};
const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;

// 1. npm packages, when missing or older than the lockfile.
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs)) {
  say('installing npm packages');
  run('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

// 2. Debian packages used by the ansible and sandbox steps.
// tmux and chromium are only for the tests that drive the terminal UIs and render the HTML report.
const debs = [['ansible-playbook', 'ansible-core'], ['bwrap', 'bubblewrap'], ['tmux', 'tmux'], ['chromium', 'chromium']].filter(([bin]) => !has(bin)).map(([, pkg]) => pkg);
if (debs.length > 0) {
  if (has('apt-get') && process.getuid?.() === 0) {
    say(`installing Debian packages: ${debs.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    // Wait for another apt/dpkg (unattended upgrades, a parallel setup) instead of failing.
    const aptLock = ["-o", "DPkg::Lock::Timeout=600"];
    const upd = spawnSync('apt-get', [...aptLock, 'update', '-qq'], { stdio: quiet ? 'ignore' : 'inherit', env });
    if (upd.status !== 0) say('apt-get update failed; trying the install with the cached lists');
    run('apt-get', [...aptLock, 'install', '-y', '-qq', '--no-install-recommends', ...debs], { env });
  } else {
    say(`missing ${debs.join(', ')}: install them with your package manager (e.g. sudo apt-get install ${debs.join(' ')})`);
  }
}

// 3. Build when a source is newer than the build.
const newest = (dir) => {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
};
const stamp = join(root, 'dist', '.built');
const src = Math.max(...['engine', 'steps', 'src', 'test', 'bench', 'schemas'].map((d) => newest(join(root, d))), statSync(join(root, 'tsconfig.json')).mtimeMs);
if (!existsSync(stamp) || statSync(stamp).mtimeMs < src) {
  say('building');
  run('npm', ['run', '--silent', 'build']);
  execFileSync('touch', [stamp]);
}
