// Opening commands that run other commands: wrappers (`sudo`, `env`, `nice`,
// `timeout`, `xargs`…), shells given a script (`sh -c`, here-docs, `echo … | sh`),
// `eval`, `find -exec`, `ssh host CMD`, aliases. Each inner command is judged too.
import type { Cmd } from './facts.js';
import { echoOutput, quote, type Arg } from './words.js';
import { resolvePath } from './paths.js';
import { walkScript, type WalkContext, type Walker } from './extract.js';
import { WRAPPERS, SHELLS, INTERPRETERS, ENV_VALUE, XARGS_VALUE, SSH_VALUE, WATCH_VALUE, type WrapperSpec } from './wrappers.js';

const values = (args: Arg[]) => args.map((a) => a.value);
const isStatic = (args: Arg[]): args is Array<Arg & { value: string }> => args.every((a) => a.value !== null);

/** Index of the first argument after the wrapper's own options. */
function commandStart(args: Arg[], spec: WrapperSpec): number {
  let before = spec.before ?? 0;
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    if (v === null) return i;
    if (v === '--') return i + 1;
    if (v.startsWith('-') && v.length > 1) {
      if (spec.valueOpts?.includes(v)) i++;
      continue;
    }
    if (before > 0) {
      before--;
      continue;
    }
    return i;
  }
  return args.length;
}

function inner(w: Walker, cmd: Cmd, argv: Arg[], ctx: WalkContext, label: string, extra: Partial<Cmd> = {}): void {
  if (argv.length === 0) return;
  if (cmd.via.length > 24) {
    w.problems.push({ kind: 'too-deep', text: cmd.text });
    return;
  }
  const argv0 = argv[0]!;
  const name = argv0.value === null ? null : (argv0.value.split('/').pop() ?? argv0.value);
  const fnCall = name !== null && w.scope.functions.has(name);
  expandCommand(w, { ...cmd, name, fnCall, argv0, args: argv.slice(1), via: [...cmd.via, label], script: undefined, ...extra }, ctx);
}

function nested(w: Walker, cmd: Cmd, text: string, ctx: WalkContext, label: string): void {
  const { stdin: _stdin, ...rest } = ctx;
  walkScript(w, text, { ...rest, feeders: cmd.feeders, prev: cmd.prev, redirects: cmd.redirects, depth: ctx.depth + 1, via: [...cmd.via, label] });
}

/** The text a shell reads on stdin, when it is known: a here-doc, or `echo …`/`printf …` piped in. */
function stdinText(cmd: Cmd): string | null | undefined {
  if (cmd.stdin !== undefined) return cmd.stdin;
  if (cmd.prev.length === 0) return undefined;
  const [p] = cmd.prev;
  if (cmd.prev.length !== 1 || !p || p.name === null || !isStatic(p.args) || p.redirects.length > cmd.redirects.length) return null;
  return echoOutput([p.name, ...values(p.args) as string[]]) ?? null;
}

function shell(w: Walker, cmd: Cmd, ctx: WalkContext): void {
  let inlineFlag = false;
  let stdinFlag = false;
  let i = 0;
  for (; i < cmd.args.length; i++) {
    const v = cmd.args[i]!.value;
    if (v === null) break;
    if (v === '--' || v === '-') {
      i++;
      break;
    }
    if (!/^[-+]/.test(v)) break;
    if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(v)) inlineFlag = true;
    if (/^-[a-zA-Z]*s[a-zA-Z]*$/.test(v)) stdinFlag = true;
    if (v === '-o' || v === '+o' || v === '-O' || v === '+O' || v === '--rcfile' || v === '--init-file') i++;
  }
  const first = cmd.args[i];
  if (inlineFlag) {
    if (!first) cmd.script = 'none';
    else if (first.value === null) cmd.script = 'dynamic';
    else {
      cmd.script = 'parsed';
      nested(w, cmd, first.value, ctx, `${cmd.name} -c`);
    }
    return;
  }
  if (first && !stdinFlag) {
    cmd.script = 'file';
    return;
  }
  const text = stdinText(cmd);
  if (text === undefined) cmd.script = 'none';
  else if (text === null) cmd.script = 'stdin';
  else {
    cmd.script = 'parsed';
    nested(w, cmd, text, ctx, `${cmd.name} <stdin>`);
  }
}

function interpreter(cmd: Cmd, flags: string[]): void {
  const args = cmd.args;
  const isFlag = (v: string) => flags.some((f) => v.toLowerCase() === f || (f.length === 2 && /^-[a-zA-Z]+$/.test(v) && v.includes(f[1]!)) || v.startsWith(`${f}=`));
  for (const a of args) {
    if (a.value === null) {
      cmd.script = 'dynamic';
      return;
    }
    if (isFlag(a.value)) {
      cmd.script = 'inline';
      return;
    }
    if (a.value === '-') break;
    if (a.value === '-m' || !a.value.startsWith('-')) {
      cmd.script = 'file';
      return;
    }
  }
  const text = stdinText(cmd);
  cmd.script = text === undefined ? 'none' : text === null ? 'stdin' : 'inline';
}

function env(w: Walker, cmd: Cmd, ctx: WalkContext): void {
  const a = cmd.args;
  const assigns = [...cmd.assigns];
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!.value;
    if (v === null) return inner(w, cmd, a.slice(i), ctx, 'env', { assigns });
    const split = /^(?:-[a-zA-Z]*S|--split-string)(=?)(.*)$/s.exec(v);
    if (split) {
      const s = split[2] || split[1] ? split[2]! : a[++i]?.value;
      const rest = a.slice(i + 1);
      if (s === undefined || s === null || !isStatic(rest)) return inner(w, cmd, [{ value: null, glob: false, text: v }], ctx, 'env -S');
      return nested(w, { ...cmd, assigns }, [s, ...rest.map((r) => quote(r.value))].join(' '), ctx, 'env -S');
    }
    if (ENV_VALUE.includes(v)) i++;
    else if (v === '--') return inner(w, cmd, a.slice(i + 1), ctx, 'env', { assigns });
    else if (v.startsWith('-')) continue;
    else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) assigns.push({ name: v.slice(0, v.indexOf('=')), value: v.slice(v.indexOf('=') + 1) });
    else return inner(w, cmd, a.slice(i), ctx, 'env', { assigns });
  }
}

function findExec(w: Walker, cmd: Cmd, ctx: WalkContext): void {
  const a = cmd.args;
  // `{}` is any file under the start directory: with one static start, `START/*` (a glob).
  let n = a.findIndex((x) => x.value !== null && /^[-(!]/.test(x.value));
  if (n < 0) n = a.length;
  const roots = a.slice(0, n);
  const root = roots.length === 0 ? '.' : roots.length === 1 ? roots[0]!.value : null;
  const file = (x: Arg): Arg => (root === null ? { value: null, glob: false, text: x.text } : { value: x.value!.replace(/\{\}/g, `${root.replace(/\/+$/, '')}/*`), glob: true, text: x.text });
  for (let i = 0; i < a.length; i++) {
    if (!/^-(exec|execdir|ok|okdir)$/.test(a[i]!.value ?? '')) continue;
    const start = i + 1;
    let end = start;
    while (end < a.length && a[end]!.value !== ';' && a[end]!.value !== '+') end++;
    const argv = a.slice(start, end).map((x) => (x.value?.includes('{}') ? file(x) : x));
    inner(w, cmd, argv, ctx, `find ${a[i]!.value}`);
    i = end;
  }
}

/** Moves the script's directory on `cd`, records aliases, forgets variables `read` sets. */
function updateScope(w: Walker, cmd: Cmd): void {
  const s = w.scope;
  const args = values(cmd.args);
  if (cmd.name === 'cd' || cmd.name === 'pushd') {
    const dir = args.find((v) => v === null || !v.startsWith('-'));
    s.cwd = dir === undefined ? '~' : dir === null || s.cwd === null ? null : resolvePath(s.cwd, dir);
  } else if (cmd.name === 'alias') {
    for (const v of args) if (v && v.includes('=')) s.aliases.set(v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1));
  } else if (cmd.name === 'read' || cmd.name === 'mapfile' || cmd.name === 'readarray') {
    for (const v of args) if (v && /^[A-Za-z_]\w*$/.test(v)) s.vars.set(v, null);
  }
}

/** Records `cmd` and everything it runs. */
export function expandCommand(w: Walker, cmd: Cmd, ctx: WalkContext): void {
  w.cmds.push(cmd);
  updateScope(w, cmd);
  const name = cmd.name;
  if (name === null) return;
  const a = cmd.args;
  const alias = w.scope.aliases.get(name);
  if (alias !== undefined && !cmd.via.includes(`alias ${name}`)) {
    if (!isStatic(a)) return inner(w, cmd, [{ value: null, glob: false, text: cmd.argv0.text }], ctx, `alias ${name}`);
    return nested(w, cmd, [alias, ...a.map((x) => quote(x.value))].join(' '), ctx, `alias ${name}`);
  }
  if (SHELLS.has(name)) return shell(w, cmd, ctx);
  const interp = INTERPRETERS.find(([re]) => re.test(name));
  if (interp) return interpreter(cmd, interp[1]);
  const spec = WRAPPERS[name];
  if (spec) {
    const start = commandStart(a, spec);
    const c = a.findIndex((x) => x.value === '-c' || x.value === '--command');
    if ((name === 'su' || name === 'runuser' || name === 'flock') && c >= 0) return scriptArg(w, cmd, a[c + 1], ctx, `${name} -c`);
    return inner(w, cmd, a.slice(start), ctx, name);
  }
  switch (name) {
    case 'su':
    case 'script': {
      const c = a.findIndex((x) => x.value === '-c' || x.value === '--command');
      if (c >= 0) scriptArg(w, cmd, a[c + 1], ctx, `${name} -c`);
      return;
    }
    case 'command':
      if (a.some((x) => x.value === '-v' || x.value === '-V')) return;
      return inner(w, cmd, a.slice(commandStart(a, {})), ctx, name);
    case 'env':
      return env(w, cmd, ctx);
    case 'eval':
    case 'trap': {
      const code = name === 'trap' ? a.slice(0, 1) : a;
      if (code.length === 0) return;
      cmd.script = isStatic(code) ? 'parsed' : 'dynamic';
      if (isStatic(code)) nested(w, cmd, code.map((x) => x.value).join(' '), ctx, name);
      return;
    }
    case 'source':
    case '.':
      cmd.script = a[0]?.value === null ? 'dynamic' : 'file';
      return;
    case 'xargs': {
      let i = 0;
      for (; i < a.length; i++) {
        const v = a[i]!.value;
        if (v === null || !v.startsWith('-')) break;
        if (XARGS_VALUE.includes(v)) i++;
      }
      const argv = a.slice(i).map((x) => (x.value?.includes('{}') ? { value: null, glob: false, text: x.text } : x));
      const rest = argv.length ? argv : [{ value: 'echo', glob: false, text: 'echo' }];
      return inner(w, cmd, [...rest, { value: null, glob: false, text: '(xargs input)' }], ctx, 'xargs');
    }
    case 'parallel': {
      const end = a.findIndex((x) => x.value === ':::' || x.value === '::::');
      const argv = a.slice(commandStart(a, {}), end < 0 ? undefined : end);
      return inner(w, cmd, [...argv, { value: null, glob: false, text: '(parallel input)' }], ctx, 'parallel');
    }
    case 'find':
      return findExec(w, cmd, ctx);
    case 'watch': {
      const exec = a.some((x) => x.value === '-x' || x.value === '--exec');
      const start = commandStart(a, { valueOpts: WATCH_VALUE });
      const rest = a.slice(start);
      if (exec) return inner(w, cmd, rest, ctx, 'watch -x');
      return scriptArg(w, cmd, isStatic(rest) ? { value: rest.map((x) => x.value).join(' '), glob: false, text: '' } : { value: null, glob: false, text: '' }, ctx, 'watch');
    }
    case 'ssh': {
      const start = commandStart(a, { valueOpts: SSH_VALUE, before: 1 });
      const rest = a.slice(start);
      if (rest.length === 0) return;
      return scriptArg(w, cmd, isStatic(rest) ? { value: rest.map((x) => x.value).join(' '), glob: false, text: '' } : { value: null, glob: false, text: '' }, ctx, 'ssh');
    }
  }
}

function scriptArg(w: Walker, cmd: Cmd, arg: Arg | undefined, ctx: WalkContext, label: string): void {
  if (!arg) return;
  if (arg.value === null) {
    cmd.script = 'dynamic';
    return;
  }
  cmd.script = 'parsed';
  nested(w, cmd, arg.value, ctx, label);
}
