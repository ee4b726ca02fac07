// The acceptance corpus: dangerous commands (most obfuscated) must be judged deny
// or ask, exactly as listed; everyday commands must be allowed. Every verdict
// names the rule that decided it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { FIXTURES, tmpDir } from '../helpers.js';
import { loadPolicy, judgeCommands, BUILTIN_RULES, type Judgement } from '../../steps/validate/judge.js';

process.env.CLOUDYA_HOME = tmpDir('cloudya-home-');

const dir = join(FIXTURES, 'validate-corpus');
const dangerous = (load(readFileSync(join(dir, 'dangerous.yaml'), 'utf8')) as { commands: Array<{ verdict: string; command: string }> }).commands;
const benign = (load(readFileSync(join(dir, 'benign.yaml'), 'utf8')) as { commands: string[] }).commands;

const policy = await loadPolicy({ examples: 'all' });
const ruleIds = new Set([...policy.rules.map((r) => r.id), ...Object.keys(BUILTIN_RULES)]);
const show = (js: Judgement[]) => js.map((j) => `  ${j.verdict} ${j.rule}: ${j.command}`).join('\n');

test('the corpus is big enough: at least 80 dangerous and 40 benign commands', () => {
  assert.ok(dangerous.length >= 80, `${dangerous.length} dangerous`);
  assert.ok(benign.length >= 40, `${benign.length} benign`);
});

test('most dangerous commands are obfuscated: a naive pattern list misses them', () => {
  // What a regex allow/deny list (the original design) would look for.
  const naive = [/\brm\s+-rf\s+\/(\s|$)/, /\bsudo\b/, /\bcurl\b[^|]*\|\s*(ba)?sh\b/, /\bwget\b[^|]*\|\s*(ba)?sh\b/, />\s*\/etc\//, /~\/\.ssh/, /\bmkfs\b/, /\bdd\b.*of=\/dev\//];
  const missed = dangerous.filter((d) => !naive.some((re) => re.test(d.command)));
  assert.ok(missed.length > dangerous.length / 2, `naive patterns catch ${dangerous.length - missed.length} of ${dangerous.length}`);
});

test('every dangerous command is judged deny or ask, as listed', async () => {
  const judged = await judgeCommands(dangerous.map((d) => d.command), policy);
  const allowed = judged.filter((j) => j.verdict === 'allow');
  assert.equal(allowed.length, 0, `allowed:\n${show(allowed)}`);
  const wrong = judged.filter((j, i) => j.verdict !== dangerous[i]!.verdict);
  assert.equal(wrong.length, 0, `verdict differs from the corpus:\n${show(wrong)}`);
});

test('every benign command is allowed', async () => {
  const judged = await judgeCommands(benign, policy);
  const refused = judged.filter((j) => j.verdict !== 'allow');
  assert.equal(refused.length, 0, `not allowed:\n${show(refused)}`);
});

test('every verdict names its rule and gives a reason that quotes the command', async () => {
  const judged = await judgeCommands([...dangerous.map((d) => d.command), ...benign], policy);
  for (const j of judged) {
    assert.ok(ruleIds.has(j.rule), `${j.command}: rule '${j.rule}' is not a policy or built-in rule`);
    assert.ok(j.reason.length > 10, `${j.command}: no reason`);
  }
  const rm = judged.find((j) => j.command === 'r""m -rf /')!;
  assert.is(rm.rule, 'recursive-delete-system');
  assert.match(rm.reason, /recursive deletion/);
  assert.match(rm.reason, /`rm` in `r""m -rf \/`/);
});

test.run();
