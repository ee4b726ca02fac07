// The judge opens every construct the issue lists and judges the commands
// inside; each case names the rule that must decide and how the command was reached.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tmpDir } from '../helpers.js';
import { loadPolicy, judgeCommands, strictest } from '../../steps/validate/judge.js';

process.env.CLOUDYA_HOME = tmpDir('cloudya-home-');
const policy = await loadPolicy();

// [command, verdict, rule, a piece of the reason: how the command was found]
const CASES: Array<[string, string, string, string]> = [
  ['ls | grep x && rm -rf /', 'deny', 'recursive-delete-system', '`rm` in `rm -rf /`'],
  ['(cd /tmp; { ls; rm -rf ~; })', 'deny', 'recursive-delete-system', '`rm`'],
  ['echo "$(rm -rf /)"', 'deny', 'recursive-delete-system', '`rm`'],
  ['echo `rm -rf /`', 'deny', 'recursive-delete-system', '`rm`'],
  ['diff <(ls) <(rm -rf /)', 'deny', 'recursive-delete-system', '`rm`'],
  ['cat <<EOF\n$(rm -rf /)\nEOF', 'deny', 'recursive-delete-system', '`rm`'],
  ["sh <<'EOF'\nrm -rf /\nEOF", 'deny', 'recursive-delete-system', 'via sh <stdin>'],
  ["bash -c 'sh -c \"rm -rf /\"'", 'deny', 'recursive-delete-system', 'via bash -c → sh -c'],
  ["eval 'r''m -rf /'", 'deny', 'recursive-delete-system', 'via eval'],
  ['echo /etc | xargs rm -rf', 'ask', 'delete-unknown', 'via xargs'],
  ["env -S 'rm -rf /'", 'deny', 'recursive-delete-system', 'via env -S'],
  ['env FOO=1 /bin/rm -rf /', 'deny', 'recursive-delete-system', 'via env'],
  ['nice -n 5 nohup setsid stdbuf -oL timeout 5 command rm -rf /', 'deny', 'recursive-delete-system', 'via nice → nohup → setsid → stdbuf → timeout → command'],
  ['find /etc -name x -exec rm -f {} \\;', 'deny', 'write-protected-args', 'via find -exec'],
  ['find . -name "*.tmp" -exec rm {} +', 'allow', 'read-only-tools', '`find`'],
  ['find /etc -delete', 'deny', 'find-delete-system', '`find`'],
  ['python3 -c "print(1)"', 'ask', 'interpreter-inline-code', '`python3`'],
  ["perl -ne 'print' file", 'ask', 'interpreter-inline-code', '`perl`'],
  ['node -e "1"', 'ask', 'interpreter-inline-code', '`node`'],
  ['c=rm; $c -rf /', 'deny', 'recursive-delete-system', '`rm`'],
  ['alias ll="rm -rf /"; ll', 'deny', 'recursive-delete-system', 'via alias ll'],
  ['/usr/bin/r\\m -rf /', 'deny', 'recursive-delete-system', '`rm`'],
  ['$(which rm) -rf /', 'ask', 'dynamic-command', '`$(which rm)`'],
  ['"$0" -c x', 'ask', 'dynamic-command', ''],
  ['if true; then rm -rf /; fi', 'deny', 'recursive-delete-system', '`rm`'],
  ['while read f; do rm -rf "$f"; done < list', 'ask', 'delete-unknown', '`rm`'],
  ['f() { rm -rf /; }', 'deny', 'recursive-delete-system', '`rm`'],
  ['case x in x) rm -rf /;; esac', 'deny', 'recursive-delete-system', '`rm`'],
  ['[ -d /x ] && rm -rf /', 'deny', 'recursive-delete-system', '`rm`'],
  ['', 'allow', 'empty', 'no command'],
  ['# just a comment', 'allow', 'empty', 'no command'],
  ['ls; (', 'ask', 'unparseable', 'does not parse'],
];

test('every construct is opened and the command inside judged', async () => {
  const judged = await judgeCommands(CASES.map((c) => c[0]), policy);
  const wrong: string[] = [];
  judged.forEach((j, i) => {
    const [cmd, verdict, rule, piece] = CASES[i]!;
    if (j.verdict !== verdict || j.rule !== rule || !j.reason.includes(piece)) wrong.push(`${JSON.stringify(cmd)}: got ${j.verdict} ${j.rule} (${j.reason}), want ${verdict} ${rule} with "${piece}"`);
  });
  assert.equal(wrong, []);
});

test('the strictest verdict of all commands in a line wins', async () => {
  const [a, b, c] = await judgeCommands(['ls && terraform destroy', 'terraform destroy; sudo id', 'ls; pwd'], policy);
  assert.equal([a!.verdict, b!.verdict, c!.verdict], ['ask', 'deny', 'allow']);
  assert.is(strictest(['allow', 'ask', 'allow']), 'ask');
  assert.is(strictest([]), 'allow');
});

test('judgeCommands keeps one judgement per command, in order', async () => {
  const js = await judgeCommands(['ls', 'sudo ls', 'git status'], policy);
  assert.equal(js.map((j) => j.command), ['ls', 'sudo ls', 'git status']);
  assert.equal(js.map((j) => j.rule), ['read-only-tools', 'privilege-escalation', 'git-safe']);
});

test.run();
