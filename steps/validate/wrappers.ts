// What the judge knows about programs that run other programs: where their own
// options end and the command they run begins, and how interpreters take code.

export interface WrapperSpec {
  /** Options that take the next argument as their value. */
  valueOpts?: string[];
  /** Positional arguments before the command (`timeout 5s CMD`, `chroot DIR CMD`). */
  before?: number;
}

export const WRAPPERS: Record<string, WrapperSpec> = {
  sudo: { valueOpts: ['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-T', '-U', '--user', '--group', '--host', '--prompt', '--chdir', '--role', '--type', '--other-user', '--close-from', '--command-timeout'] },
  doas: { valueOpts: ['-u', '-C'] },
  pkexec: { valueOpts: ['--user'] },
  run0: { valueOpts: ['-u', '--user', '-D', '--chdir', '--setenv', '--unit', '-p', '--property', '--description', '--slice', '--nice'] },
  nice: { valueOpts: ['-n', '--adjustment'] },
  ionice: { valueOpts: ['-c', '-n', '-p', '-P', '-u', '--class', '--classdata'] },
  nohup: {},
  setsid: {},
  stdbuf: { valueOpts: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  timeout: { valueOpts: ['-s', '--signal', '-k', '--kill-after'], before: 1 },
  time: { valueOpts: ['-f', '--format', '-o', '--output'] },
  builtin: {},
  exec: { valueOpts: ['-a'] },
  chroot: { valueOpts: ['--userspec', '--groups'], before: 1 },
  taskset: { before: 1 },
  chrt: { before: 1 },
  flock: { valueOpts: ['-w', '--timeout', '-E', '--conflict-exit-code'], before: 1 },
  unbuffer: {},
  catchsegv: {},
  strace: { valueOpts: ['-o', '-e', '-p', '-s', '-u', '-E', '-a', '-b', '-I', '-O', '-P', '-S', '-X'] },
  ltrace: { valueOpts: ['-o', '-e', '-p', '-s', '-u', '-a', '-n', '-l'] },
  torsocks: {},
  proxychains: { valueOpts: ['-f'] },
  proxychains4: { valueOpts: ['-f'] },
  runuser: { valueOpts: ['-u', '-g', '-G', '--user', '--group', '--supp-group', '-s', '--shell'] },
  busybox: {},
  doit: {},
};

export const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'yash', 'posh', 'rbash', 'fish', 'csh', 'tcsh']);

/** Interpreters of other languages and the flags that give them code inline. */
export const INTERPRETERS: Array<[RegExp, string[]]> = [
  [/^(python[0-9.]*|pypy[0-9]*)$/, ['-c']],
  [/^perl[0-9.]*$/, ['-e', '-E']],
  [/^(ruby|irb|jruby)$/, ['-e']],
  [/^(node|nodejs|bun)$/, ['-e', '--eval', '-p', '--print']],
  [/^deno$/, ['eval']],
  [/^php[0-9.]*$/, ['-r']],
  [/^(lua|luajit)[0-9.]*$/, ['-e']],
  [/^Rscript$/, ['-e']],
  [/^(pwsh|powershell)$/, ['-c', '-command', '-encodedcommand', '-e', '-ec']],
  [/^osascript$/, ['-e']],
  [/^(tclsh|wish|expect)$/, ['-c']],
];

/** Options that take a value, for the wrappers with a special shape. */
export const ENV_VALUE = ['-u', '--unset', '-C', '--chdir'];
export const XARGS_VALUE = ['-a', '--arg-file', '-d', '--delimiter', '-E', '-I', '-L', '-l', '-n', '--max-args', '-P', '--max-procs', '-s', '--max-chars', '--process-slot-var'];
export const SSH_VALUE = ['-b', '-B', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-P', '-Q', '-R', '-S', '-W', '-w'];
export const WATCH_VALUE = ['-n', '--interval', '-q', '--equexit'];

