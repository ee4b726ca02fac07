// The validator's library: judge shell commands against a policy. Every simple
// command found in the text is judged; the strictest verdict wins. What cannot
// be known before run time (a command name from a variable, `sh -c "$X"`,
// unparseable text) is at least `ask`, whatever the policy says.
import { initShellParser } from './shell-parser.js';
import { extractCommands } from './extract.js';
import type { Cmd } from './facts.js';
import { STRICTNESS, type Verdict } from './match.js';
import type { Policy } from './policy-load.js';

export { loadPolicy, type Policy, type LoadPolicyOptions } from './policy-load.js';
export type { Verdict } from './match.js';

export interface Judgement {
  command: string;
  verdict: Verdict;
  /** The policy rule (or built-in rule: default, dynamic-command, dynamic-script, unparseable, nesting-too-deep, empty) that decided. */
  rule: string;
  reason: string;
}

/** Rules every policy has; they cannot be turned off. */
export const BUILTIN_RULES = {
  default: 'no rule covers this command; the policy default applies',
  'dynamic-command': 'the program name is only known at run time',
  'dynamic-script': 'the code this runs is only known at run time',
  unparseable: 'the text does not parse as a shell command',
  'nesting-too-deep': 'commands are nested too deeply to judge',
  assignment: 'sets a shell variable',
  'function-call': 'calls a function the script defines (its body is judged where it is defined)',
  empty: 'there is no command to run',
} as const;

interface Decision {
  verdict: Verdict;
  rule: string;
  reason: string;
  cmd?: Cmd;
}

const MAX_TEXT = 100_000;

function snippet(cmd: Cmd): string {
  const text = cmd.text.replace(/\s+/g, ' ').trim();
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  const name = cmd.name ?? cmd.argv0.text;
  const where = cmd.via.length ? ` via ${cmd.via.join(' → ')}` : '';
  return cmd.kind === 'assignment' ? `\`${short}\`` : `\`${name}\`${where} in \`${short}\``;
}

/** The strictest rule matching one command, with the built-in floors for what is not static. */
function decide(cmd: Cmd, policy: Policy): Decision {
  let best: Decision | undefined;
  for (const r of policy.rules) {
    if (!r.test(cmd)) continue;
    if (!best || STRICTNESS[r.verdict] > STRICTNESS[best.verdict]) best = { verdict: r.verdict, rule: r.id, reason: r.reason, cmd };
    if (r.verdict === 'deny') break;
  }
  const floor = (rule: keyof typeof BUILTIN_RULES): Decision => ({ verdict: 'ask', rule, reason: BUILTIN_RULES[rule], cmd });
  if (cmd.kind === 'command' && cmd.name === null && (!best || best.verdict === 'allow')) return floor('dynamic-command');
  if (cmd.script === 'dynamic' && (!best || best.verdict === 'allow')) return floor('dynamic-script');
  if (best) return best;
  if (cmd.fnCall) return { verdict: 'allow', rule: 'function-call', reason: BUILTIN_RULES['function-call'], cmd };
  if (cmd.kind === 'assignment') return { verdict: 'allow', rule: 'assignment', reason: BUILTIN_RULES.assignment, cmd };
  return { verdict: policy.default, rule: 'default', reason: `no rule covers \`${cmd.name}\`; the policy default is ${policy.default}`, cmd };
}

/** Judges one command line or script. The shell parser must be loaded (judgeCommands does it). */
export function judgeCommand(command: string, policy: Policy): Judgement {
  const result = (d: Decision): Judgement => ({ command, verdict: d.verdict, rule: d.rule, reason: d.cmd ? `${d.reason} (${snippet(d.cmd)})` : d.reason });
  if (command.length > MAX_TEXT) return result({ verdict: 'ask', rule: 'unparseable', reason: `the text is longer than ${MAX_TEXT} characters` });
  const { cmds, problems } = extractCommands(command);
  let best: Decision | undefined;
  const consider = (d: Decision) => {
    if (!best || STRICTNESS[d.verdict] > STRICTNESS[best.verdict]) best = d;
  };
  for (const cmd of cmds) {
    consider(decide(cmd, policy));
    if (best?.verdict === 'deny') break;
  }
  for (const p of problems) {
    const rule = p.kind === 'too-deep' ? 'nesting-too-deep' : 'unparseable';
    const text = p.text.replace(/\s+/g, ' ').trim().slice(0, 60);
    consider({ verdict: 'ask', rule, reason: `${BUILTIN_RULES[rule]} (near \`${text}\`)` });
  }
  return result(best ?? { verdict: 'allow', rule: 'empty', reason: BUILTIN_RULES.empty });
}

/** Judges each command; one judgement per command, in order. */
export async function judgeCommands(commands: string[], policy: Policy): Promise<Judgement[]> {
  await initShellParser();
  return commands.map((c) => judgeCommand(c, policy));
}

/** The ids of the rules that match some command inside `command` (for policy examples). */
export function matchingRules(command: string, policy: Policy): Set<string> {
  const ids = new Set<string>();
  for (const cmd of extractCommands(command).cmds) for (const r of policy.rules) if (r.test(cmd)) ids.add(r.id);
  return ids;
}

/** The strictest of several verdicts (`allow` for none). */
export function strictest(verdicts: Iterable<Verdict>): Verdict {
  let v: Verdict = 'allow';
  for (const x of verdicts) if (STRICTNESS[x] > STRICTNESS[v]) v = x;
  return v;
}
