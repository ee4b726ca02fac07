import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../helpers.js';
import { runYaml, resumeHarness, rollbackHarness, mark } from './engine-harness.js';

const head = (body: string, extra = '') => `apiVersion: cloudya/v1\nkind: Workflow\nname: t\n${extra}steps:\n${body}`;

test('a DAG runs in dependency order and passes outputs (typed) downstream', async () => {
  const h = await runYaml(head(`
  - { id: a, type: sandbox, with: { isolation: none, command: "echo 41" } }
  - id: b
    type: sandbox
    needs: [a]
    with: { isolation: none, argv: [sh, -c, 'echo $(($1 + 1))', x, "{{steps.a.outputs.stdout}}"] }
    outputs: { answer: "{{outputs.stdout}}" }
`));
  assert.is(h.state.status, 'succeeded');
  assert.is(h.state.steps.b!.outputs!.answer, '42');
  assert.is(h.state.steps.a!.outputs!.exitCode, 0);
});

test('retries: a failing step is attempted `attempts` times with the policy delays', async () => {
  const h = await runYaml(head(`
  - id: flaky
    type: sandbox
    with: { isolation: none, command: "echo try >> marker; exit 3" }
    retry: { attempts: 3, backoff: linear, delay: 40ms }
`));
  assert.is(h.state.status, 'failed');
  assert.is(h.marker().length, 3);
  assert.is(h.state.steps.flaky!.attempts, 3);
  const delays = h.events.filter((e) => e.type === 'step.retrying').map((e) => (e as { delayMs: number }).delayMs);
  assert.equal(delays, [40, 80]);
  assert.is(h.state.steps.flaky!.error!.code, 'E_COMMAND_FAILED');
});

test('retries: exponential backoff with maxDelay, and success on a later attempt stops retrying', async () => {
  const h = await runYaml(head(`
  - id: flaky
    type: sandbox
    with: { isolation: none, command: "echo try >> marker; [ $(wc -l < marker) -ge 4 ]" }
    retry: { attempts: 6, backoff: exponential, delay: 20ms, maxDelay: 50ms }
`));
  assert.is(h.state.status, 'succeeded');
  assert.is(h.marker().length, 4);
  const delays = h.events.filter((e) => e.type === 'step.retrying').map((e) => (e as { delayMs: number }).delayMs);
  assert.equal(delays, [20, 40, 50]);
});

test('non-retryable errors are not retried (a missing program)', async () => {
  const h = await runYaml(head(`
  - id: missing
    type: sandbox
    with: { isolation: none, argv: [cloudya-no-such-program-xyz] }
    retry: { attempts: 5, delay: 10ms }
`));
  assert.is(h.state.status, 'failed');
  assert.is(h.state.steps.missing!.attempts, 1);
  assert.is(h.state.steps.missing!.error!.code, 'E_COMMAND_NOT_FOUND');
});

test('a step timeout kills the running child process and its children', async () => {
  const h = await runYaml(head(`
  - id: slow
    type: sandbox
    timeout: 300ms
    with: { isolation: none, command: "sleep 30 & echo $! > pid; wait" }
`));
  assert.is(h.state.status, 'failed');
  assert.is(h.state.steps.slow!.error!.code, 'E_TIMEOUT');
  const pid = Number(readFileSync(join(h.dir, 'pid'), 'utf8'));
  await new Promise((r) => setTimeout(r, 100));
  const alive = isAlive(pid);
  assert.not.ok(alive, `sleep (pid ${pid}) should have been killed with its process group`);
});

test('a run timeout fails the run and cancels the running step', async () => {
  const h = await runYaml(head(`
  - { id: slow, type: sandbox, with: { isolation: none, command: "sleep 30" } }
  - { id: after, type: sandbox, needs: [slow], with: ${mark('after')} }
`, 'timeout: 300ms\n'), {}, { rollback: false });
  assert.is(h.state.status, 'failed');
  assert.is(h.state.steps.slow!.error!.code, 'E_RUN_TIMEOUT');
  assert.is(h.state.steps.after!.status, 'pending');
  assert.equal(h.marker(), []);
});

test('when: false skips the step; when reads outputs of ancestors', async () => {
  const h = await runYaml(head(`
  - { id: probe, type: sandbox, with: { isolation: none, command: "echo no" } }
  - { id: never, type: sandbox, needs: [probe], when: "{{eq steps.probe.outputs.stdout 'yes'}}", with: ${mark('never')} }
  - { id: always, type: sandbox, needs: [probe], when: "{{eq steps.probe.outputs.stdout 'no'}}", with: ${mark('always')} }
  - { id: param, type: sandbox, when: "{{params.enabled}}", with: ${mark('param')} }
  - { id: after, type: sandbox, needs: [never], with: ${mark('after')} }
`, 'params:\n  enabled: { type: boolean, default: false }\n'));
  assert.is(h.state.status, 'succeeded');
  assert.is(h.state.steps.never!.status, 'skipped');
  assert.is(h.state.steps.param!.status, 'skipped');
  assert.is(h.state.steps.always!.status, 'succeeded');
  assert.equal(h.marker().sort(), ['after', 'always']);
});

test('finally steps run after success and after failure, and see the outcome', async () => {
  const ok = await runYaml(head(`
  - { id: a, type: sandbox, with: ${mark('a')} }
finally:
  - { id: f, type: sandbox, with: { isolation: none, command: "echo final-{{run.status}} >> marker" } }
`));
  assert.is(ok.state.status, 'succeeded');
  assert.equal(ok.marker(), ['a', 'final-succeeded']);
  const bad = await runYaml(head(`
  - { id: a, type: sandbox, with: { isolation: none, command: "exit 1" } }
  - { id: b, type: sandbox, needs: [a], with: ${mark('b')} }
finally:
  - { id: f, type: sandbox, with: { isolation: none, command: "echo final-{{run.status}} >> marker" } }
`));
  assert.is(bad.state.status, 'failed');
  assert.equal(bad.marker(), ['final-failed']);
  assert.is(bad.state.steps.f!.status, 'succeeded');
  assert.is(bad.state.steps.b!.status, 'pending');
});

test('continueOnError: the failure is recorded, dependents run, the run succeeds', async () => {
  const h = await runYaml(head(`
  - { id: a, type: sandbox, continueOnError: true, with: { isolation: none, command: "exit 4" } }
  - { id: b, type: sandbox, needs: [a], with: { isolation: none, command: "echo a-was-{{steps.a.status}} >> marker" } }
`));
  assert.is(h.state.status, 'succeeded');
  assert.is(h.state.steps.a!.status, 'failed');
  assert.is(h.state.steps.a!.continued, true);
  assert.equal(h.marker(), ['a-was-failed']);
});

test('concurrency: never more than N steps at once, and N are reached', async () => {
  const steps = Array.from({ length: 6 }, (_, i) => `  - { id: s${i}, type: sandbox, with: { isolation: none, command: "echo start $(date +%s%N) >> marker; sleep 0.3; echo end $(date +%s%N) >> marker" } }`).join('\n');
  const h = await runYaml(head(steps + '\n', 'concurrency: 2\n'));
  assert.is(h.state.status, 'succeeded');
  const events = h.marker().map((l) => l.split(' ')).map(([kind, t]) => ({ kind: kind!, t: BigInt(t!) })).sort((x, y) => (x.t < y.t ? -1 : x.t > y.t ? 1 : 0));
  let live = 0;
  let max = 0;
  for (const e of events) { live += e.kind === 'start' ? 1 : -1; max = Math.max(max, live); }
  assert.is(max, 2);
});

test('rollback: a failure at step k compensates exactly the succeeded steps, in reverse order', async () => {
  const step = (id: string, needs: string, cmd = `echo do-${id} >> marker`) =>
    `  - { id: ${id}, type: sandbox, ${needs ? `needs: [${needs}], ` : ''}with: { isolation: none, command: "${cmd}" }, rollback: { type: sandbox, with: { isolation: none, command: "echo undo-${id} >> marker" } } }`;
  const h = await runYaml(head([step('a', ''), step('b', 'a'), step('c', 'b'), step('d', 'c', 'exit 1'), step('e', 'd')].join('\n') + '\n'));
  assert.is(h.state.status, 'rolled_back');
  assert.equal(h.marker(), ['do-a', 'do-b', 'do-c', 'undo-c', 'undo-b', 'undo-a']);
  assert.is(h.state.steps.d!.status, 'failed');
  assert.is(h.state.steps.e!.status, 'pending');
  assert.is(h.state.steps.a!.status, 'compensated');
});

test('rollback: --no-rollback leaves changes; `rollback` of a succeeded run undoes it; rollback: false opts out', async () => {
  const h = await runYaml(head(`
  - { id: a, type: sandbox, with: ${mark('do-a')}, rollback: { type: sandbox, with: { isolation: none, command: "echo undo-a >> marker" } } }
  - { id: keep, type: sandbox, needs: [a], with: ${mark('do-keep')}, rollback: false }
  - { id: b, type: sandbox, needs: [keep], with: ${mark('do-b')}, rollback: { type: sandbox, with: { isolation: none, command: "echo undo-b-{{steps.b.outputs.exitCode}} >> marker" } } }
`), {}, { rollback: false });
  assert.is(h.state.status, 'succeeded');
  const s = await rollbackHarness(h);
  assert.is(s.status, 'rolled_back');
  assert.equal(h.marker(), ['do-a', 'do-keep', 'do-b', 'undo-b-0', 'undo-a']);
  assert.is(s.steps.keep!.status, 'succeeded');
});

test('rollback: a failing compensation gives rollback_failed, says what is left, and can be finished later', async () => {
  const h = await runYaml(head(`
  - { id: a, type: sandbox, with: ${mark('do-a')}, rollback: { type: sandbox, with: { isolation: none, command: "echo undo-a >> marker" } } }
  - { id: b, type: sandbox, needs: [a], with: ${mark('do-b')}, rollback: { type: sandbox, with: { isolation: none, command: "[ -f fixed ] && echo undo-b >> marker" } } }
  - { id: c, type: sandbox, needs: [b], with: { isolation: none, command: "exit 1" } }
`));
  assert.is(h.state.status, 'rollback_failed');
  assert.is(h.state.error!.code, 'E_ROLLBACK_FAILED');
  assert.match(h.state.error!.message, /compensation of 'b' failed/);
  assert.match(h.state.error!.message, /not undone: b, a/);
  assert.is(h.state.steps.b!.status, 'compensation_failed');
  assert.is(h.state.steps.a!.status, 'succeeded');
  assert.equal(h.marker(), ['do-a', 'do-b']);
  (await import('node:fs')).writeFileSync(join(h.dir, 'fixed'), '');
  const s = await rollbackHarness(h);
  assert.is(s.status, 'rolled_back');
  assert.equal(h.marker(), ['do-a', 'do-b', 'undo-b', 'undo-a']);
  assert.is(s.error?.code, 'E_WORKFLOW_FAILED', 'the finished rollback keeps the original failure, not the old E_ROLLBACK_FAILED');
});

test('resume: succeeded steps keep their outputs and do not run again; only the rest runs', async () => {
  const h = await runYaml(head(`
  - { id: one, type: sandbox, with: { isolation: none, command: "echo one >> marker; echo out-one" } }
  - { id: two, type: sandbox, needs: [one], with: ${mark('two')} }
  - { id: three, type: sandbox, needs: [two], with: { isolation: none, command: "[ -f ready ] && echo three-saw-{{steps.one.outputs.stdout}} >> marker" } }
`), {}, { rollback: false });
  assert.is(h.state.status, 'failed');
  assert.equal(h.marker(), ['one', 'two']);
  (await import('node:fs')).writeFileSync(join(h.dir, 'ready'), '');
  const s = await resumeHarness(h);
  assert.is(s.status, 'succeeded');
  assert.equal(h.marker(), ['one', 'two', 'three-saw-out-one']);
  assert.is(s.resumes, 1);
  assert.ok(!h.events.some((e) => e.type === 'step.started' && (e.stepId === 'one' || e.stepId === 'two')));
});

test('resume after a rollback: undone steps and what ran after them run again, in order', async () => {
  const h = await runYaml(head(`
  - { id: create, type: sandbox, with: ${mark('do-create')}, rollback: { type: sandbox, with: { isolation: none, command: "echo undo-create >> marker" } } }
  - { id: second, type: sandbox, needs: [create], with: ${mark('do-second')} }
  - { id: boom, type: sandbox, needs: [second], with: { isolation: none, command: "[ -f ok ] && echo boom >> marker" } }
`));
  assert.is(h.state.status, 'rolled_back');
  assert.equal(h.marker(), ['do-create', 'do-second', 'undo-create']);
  (await import('node:fs')).writeFileSync(join(h.dir, 'ok'), '');
  const s = await resumeHarness(h);
  assert.is(s.status, 'succeeded');
  assert.equal(h.marker(), ['do-create', 'do-second', 'undo-create', 'do-create', 'do-second', 'boom']);
});

test('secrets: the next step gets the real value; what is persisted is masked (numbers too)', async () => {
  const h = await runYaml(head(`
  - { id: a, type: sandbox, with: { isolation: none, command: "echo token-{{params.pw}}" }, outputs: { pin: "{{params.pin}}" } }
  - { id: b, type: sandbox, needs: [a], with: { isolation: none, command: "echo {{steps.a.outputs.stdout}}-{{steps.a.outputs.pin}} >> marker" } }
`, 'params:\n  pw: { type: string, secret: true }\n  pin: { type: integer, secret: true }\n'), { pw: 'RealPass123', pin: '424242' });
  assert.is(h.state.status, 'succeeded');
  assert.equal(h.marker(), ['token-RealPass123-424242']);
  const disk = readFileSync(join(h.store.dir, 'state.json'), 'utf8');
  assert.not.ok(disk.includes('RealPass123') || disk.includes('424242'));
  assert.is(h.state.steps.a!.outputs!.pin, '***');
});

test('a failing finally step marks the run failed but does not undo the main steps', async () => {
  const h = await runYaml(head(`
  - { id: a, type: sandbox, with: ${mark('do-a')}, rollback: { type: sandbox, with: { isolation: none, command: "echo undo-a >> marker" } } }
finally:
  - { id: report, type: sandbox, with: { isolation: none, command: "exit 5" } }
`));
  assert.is(h.state.status, 'failed');
  assert.equal(h.marker(), ['do-a']);
  assert.is(h.state.steps.a!.status, 'succeeded');
});

test('a declared param without a value is null, a declared unset env var is empty', async () => {
  delete process.env.CLOUDYA_TEST_UNSET_VAR;
  const h = await runYaml(head(`
  - { id: a, type: sandbox, with: { isolation: none, command: "echo n={{default params.f 3}} e=[{{env.CLOUDYA_TEST_UNSET_VAR}}] >> marker" } }
`, 'params:\n  f: { type: number }\nenv: [CLOUDYA_TEST_UNSET_VAR]\n'));
  assert.is(h.state.status, 'succeeded', JSON.stringify(h.state.steps.a!.error));
  assert.equal(h.marker(), ['n=3 e=[]']);
});

test('reading outputs of a skipped step fails with a hint that says why and how to guard it', async () => {
  const h = await runYaml(head(`
  - { id: build, type: sandbox, when: false, with: { isolation: none, command: "echo built" } }
  - { id: deploy, type: sandbox, needs: [build], with: { isolation: none, command: "echo {{steps.build.outputs.stdout}}" } }
  - { id: guarded, type: sandbox, needs: [build], when: "{{eq steps.build.status 'succeeded'}}", with: { isolation: none, command: "echo {{steps.build.outputs.stdout}}" } }
`));
  assert.is(h.state.steps.deploy!.error!.code, 'E_EVAL');
  assert.match(h.state.steps.deploy!.error!.hint!, /step 'build' was skipped .* guard this step with when:/);
  assert.is(h.state.steps.guarded!.status, 'skipped');
});

test('state.json is a JSON round trip of the run after it ends', async () => {
  const h = await runYaml(head(`  - { id: a, type: sandbox, with: { isolation: none, command: "true" } }\n`));
  const disk = JSON.parse(readFileSync(join(h.store.dir, 'state.json'), 'utf8'));
  assert.equal(disk, JSON.parse(JSON.stringify(h.state)));
  assert.ok(existsSync(join(h.store.dir, 'workflow.yaml')));
  assert.ok(!existsSync(join(h.store.dir, 'lock')));
});

test.run();
