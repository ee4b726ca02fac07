// Walks a bash syntax tree and lists every simple command in it, with the facts
// rules need: pipelines, lists, subshells, functions, loops, `$(…)`, backticks,
// process substitution, here-docs and redirections. Wrappers and nested scripts
// (`sh -c`, `eval`, `xargs`, `find -exec`…) are opened by unwrap.ts.
import { parseShell, type ShNode } from './shell-parser.js';
import { evaluateWord, newScope, type Arg, type Scope } from './words.js';
import type { Assign, Cmd, Problem, Redirect } from './facts.js';
import { expandCommand } from './unwrap.js';

export interface WalkContext {
  feeders: Cmd[];
  prev: Cmd[];
  redirects: Redirect[];
  stdin?: string | null;
  fn?: string;
  depth: number;
  via: string[];
}

export interface Walker {
  cmds: Cmd[];
  problems: Problem[];
  scope: Scope;
  maxDepth: number;
}

const MAX_LOOP_VALUES = 8;

export function extractCommands(text: string, maxDepth = 8): { cmds: Cmd[]; problems: Problem[] } {
  const w: Walker = { cmds: [], problems: [], scope: newScope(), maxDepth };
  walkScript(w, text, { feeders: [], prev: [], redirects: [], depth: 0, via: [] });
  return { cmds: w.cmds, problems: w.problems };
}

/** Parses `text` and walks it (used again for `sh -c` strings, `eval`, here-docs fed to a shell…). */
export function walkScript(w: Walker, text: string, ctx: WalkContext): void {
  if (ctx.depth > w.maxDepth) {
    w.problems.push({ kind: 'too-deep', text });
    return;
  }
  walk(w, parseShell(text), ctx);
}

function words(w: Walker, nodes: ShNode[]): Arg[] {
  return nodes.flatMap((n) => evaluateWord(n, w.scope));
}

/** Walks a node only for the commands inside it (substitutions); returns them. */
function walkInner(w: Walker, node: ShNode, ctx: WalkContext): Cmd[] {
  const start = w.cmds.length;
  walk(w, node, ctx);
  return w.cmds.slice(start);
}

function readRedirects(w: Walker, nodes: ShNode[], ctx: WalkContext): { redirects: Redirect[]; stdin?: string | null; inner: Cmd[] } {
  const redirects: Redirect[] = [];
  const inner: Cmd[] = [];
  let stdin: string | null | undefined;
  for (const r of nodes) {
    for (const c of r.children) if (c.named) inner.push(...walkInner(w, c, ctx));
    if (r.type === 'heredoc_redirect') {
      const body = r.children.find((c) => c.type === 'heredoc_body')?.text ?? '';
      // Quoted delimiter or not, a shell fed this body runs the commands in it: judged when it is parsed.
      stdin = body;
      for (const c of r.children.filter((c) => c.type === 'file_redirect')) redirects.push(...readRedirects(w, [c], ctx).redirects);
      continue;
    }
    if (r.type === 'herestring_redirect') {
      const word = r.children.find((c) => c.named);
      const v = word ? evaluateWord(word, w.scope) : [];
      stdin = v.length === 1 && v[0]!.value !== null ? v[0]!.value : null;
      continue;
    }
    if (r.type !== 'file_redirect') continue;
    const dest = r.children.find((c) => c.field === 'destination');
    const op = r.children.filter((c) => !c.named || c.type === 'ERROR').map((c) => c.text).join('');
    if (!dest) continue;
    if ((op === '>&' || op === '<&') && /^(\d+|-)$/.test(dest.text)) continue; // fd duplication, not a file
    const target = evaluateWord(dest, w.scope)[0]!;
    const dir = op.includes('<') && op.includes('>') ? 'both' : op.includes('<') ? 'in' : 'out';
    redirects.push({ op, target, dir });
  }
  return stdin === undefined ? { redirects, inner } : { redirects, stdin, inner };
}

function assignment(w: Walker, node: ShNode): Assign {
  const name = node.children.find((c) => c.field === 'name')?.text ?? node.text.split('=')[0]!;
  const valueNode = node.children.find((c) => c.field === 'value');
  const v = valueNode ? evaluateWord(valueNode, w.scope) : [{ value: '', glob: false, text: '' }];
  const value = v.length === 1 && !node.text.includes('+=') ? v[0]!.value : null;
  return { name, value };
}

function makeCmd(w: Walker, ctx: WalkContext, argv: Arg[], extra: Partial<Cmd> & { text: string }): Cmd {
  const argv0 = argv[0] ?? { value: '', glob: false, text: '' };
  const name = argv0.value === null ? null : (argv0.value.split('/').pop() ?? argv0.value);
  const fnCall = name !== null && w.scope.functions.has(name);
  return { kind: 'command', name, ...(fnCall ? { fnCall } : {}), argv0, args: argv.slice(1), redirects: ctx.redirects, assigns: [], feeders: ctx.feeders, prev: ctx.prev, cwd: w.scope.cwd, via: ctx.via, ...(ctx.stdin !== undefined ? { stdin: ctx.stdin } : {}), ...(ctx.fn ? { fn: ctx.fn } : {}), ...extra };
}

function command(w: Walker, node: ShNode, ctx: WalkContext): void {
  const feeders: Cmd[] = [];
  const argNodes: ShNode[] = [];
  const redirNodes: ShNode[] = [];
  const assignNodes: ShNode[] = [];
  for (const c of node.children) {
    if (c.field === 'redirect') redirNodes.push(c);
    else if (c.type === 'variable_assignment') assignNodes.push(c);
    else if (c.field === 'name') argNodes.push(c.children[0] ?? c);
    else if (c.field === 'argument' || (c.named && c.type !== 'comment')) argNodes.push(c);
    if (c.named) feeders.push(...(c.field === 'redirect' ? [] : walkInner(w, c, ctx)));
  }
  const r = readRedirects(w, redirNodes, ctx);
  feeders.push(...r.inner);
  const inner: WalkContext = {
    ...ctx,
    feeders: [...ctx.feeders, ...feeders],
    redirects: [...ctx.redirects, ...r.redirects],
    ...(r.stdin !== undefined ? { stdin: r.stdin } : {}),
  };
  const nameNode = node.children.find((c) => c.field === 'name');
  if (nameNode && (nameNode.missing || nameNode.children[0]?.missing)) return; // recorded as unparseable by walkInner
  const cmd = makeCmd(w, inner, words(w, argNodes), { text: node.text, assigns: assignNodes.map((a) => assignment(w, a)) });
  expandCommand(w, cmd, inner);
}

function forLoop(w: Walker, node: ShNode, ctx: WalkContext): void {
  const variable = node.children.find((c) => c.field === 'variable')?.text;
  const valueNodes = node.children.filter((c) => c.field === 'value');
  for (const v of valueNodes) walkInner(w, v, ctx);
  const body = node.children.filter((c) => c.field === 'body');
  const values = words(w, valueNodes);
  const known = values.length > 0 && values.length <= MAX_LOOP_VALUES && values.every((v) => v.value !== null);
  if (variable && known) {
    for (const v of values) {
      w.scope.vars.set(variable, v.value);
      for (const b of body) walk(w, b, ctx);
    }
  } else {
    if (variable) w.scope.vars.set(variable, null);
    for (const b of body) walk(w, b, ctx);
  }
}

function walk(w: Walker, node: ShNode, ctx: WalkContext): void {
  if (node.missing) w.problems.push({ kind: 'unparseable', text: `missing ${node.type || 'token'}` });
  switch (node.type) {
    case 'comment':
      return;
    case 'ERROR':
      w.problems.push({ kind: 'unparseable', text: node.text });
      break;
    case 'command':
      return command(w, node, ctx);
    case 'pipeline': {
      let before: Cmd[] = [];
      let prev: Cmd[] = ctx.prev;
      for (const c of node.children) {
        if (!c.named) continue;
        const produced = walkInner(w, c, { ...ctx, feeders: [...ctx.feeders, ...before], prev });
        before = [...before, ...produced];
        prev = produced;
      }
      return;
    }
    case 'redirected_statement': {
      const r = readRedirects(w, node.children.filter((c) => c.field === 'redirect'), ctx);
      const inner = { ...ctx, feeders: [...ctx.feeders, ...r.inner], redirects: [...ctx.redirects, ...r.redirects], ...(r.stdin !== undefined ? { stdin: r.stdin } : {}) };
      const body = node.children.filter((c) => c.field !== 'redirect' && c.named);
      for (const c of body) walk(w, c, inner);
      // `> file` alone truncates the file, like `: > file`.
      if (body.length === 0) w.cmds.push(makeCmd(w, inner, [{ value: ':', glob: false, text: '' }], { text: node.text }));
      return;
    }
    case 'variable_assignment': {
      for (const c of node.children) if (c.named) walkInner(w, c, ctx);
      const a = assignment(w, node);
      w.scope.vars.set(a.name, a.value);
      w.cmds.push(makeCmd(w, ctx, [{ value: '', glob: false, text: '' }], { kind: 'assignment', name: null, text: node.text, assigns: [a] }));
      return;
    }
    case 'declaration_command':
    case 'unset_command': {
      const argNodes = node.children.filter((c) => c.named && c.type !== 'variable_assignment' && c.type !== 'comment');
      const assigns = node.children.filter((c) => c.type === 'variable_assignment').map((a) => assignment(w, a));
      for (const c of node.children) if (c.named) walkInner(w, c, ctx);
      const keyword = { value: node.children[0]?.text ?? '', glob: false, text: node.children[0]?.text ?? '' };
      const args = [...assigns.map((a) => ({ value: a.value === null ? null : `${a.name}=${a.value}`, glob: false, text: a.name })), ...words(w, argNodes)];
      if (node.type === 'unset_command') for (const a of args) if (a.value) w.scope.vars.delete(a.value);
      for (const a of assigns) w.scope.vars.set(a.name, a.value);
      w.cmds.push(makeCmd(w, ctx, [keyword, ...args], { text: node.text, assigns }));
      return;
    }
    case 'function_definition': {
      const name = node.children.find((c) => c.field === 'name')?.text;
      if (name) w.scope.functions.add(name);
      for (const c of node.children) if (c.field === 'body') walk(w, c, { ...ctx, ...(name ? { fn: name } : {}) });
      return;
    }
    case 'for_statement':
      return forLoop(w, node, ctx);
  }
  for (const c of node.children) if (c.named || c.missing) walk(w, c, ctx);
}
