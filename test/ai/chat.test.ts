// Both chat modes in a real terminal (tmux): a question, the answer drawn while
// it streams (the server holds the rest back until the first piece is on
// screen), context kept across turns, clear, quit. The real `openai` client
// talks SSE to a local server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, tmpDir } from '../helpers.js';
import { startAiServer, type AiServer } from './ai-server.js';
import { startTerm, type Term } from './tmux.js';

let server: AiServer;
let term: Term | undefined;
test.before(async () => {
  server = await startAiServer();
});
test.after(async () => {
  term?.close();
  await server.close();
});
test.before.each(() => server.reset());
test.after.each(() => {
  term?.close();
  term = undefined;
});

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

const envFor = (home: string) => ({ CLOUDYA_HOME: home, OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: 'sk-chat-test', CLOUDYA_AI_MODEL: 'chat-model', NO_COLOR: '1', TERM: 'xterm-256color' });

test('full screen: a streamed answer appears piece by piece; context kept; Ctrl+L clears; Ctrl+C quits', async () => {
  const home = tmpDir();
  const g = gate();
  server.reply(
    { stream: ['Scale it with **kubectl**: ', 'run `kubectl scale deployment web --replicas=3` (marker-one).'], gate: g.promise, usage: { prompt_tokens: 50, completion_tokens: 20, total_tokens: 70 } },
    { stream: ['Yes, ', 'and then check it with kubectl get deployment web (marker-two).'] },
    { stream: ['A fresh start (marker-three).'] },
  );
  term = startTerm([process.execPath, CLI, 'chat'], envFor(home));
  await term.waitFor(/Enter: send/);
  assert.match(term.screen(), /cloudya chat · chat-model at http:\/\/127\.0\.0\.1/);
  term.type('how do I scale my web deployment?');
  term.keys('Enter');
  const first = await term.waitFor(/Scale it with kubectl:/);
  assert.match(first, /you › how do I scale my web deployment\?/);
  assert.not.match(first, /marker-one/, 'the second piece was on screen before the server sent it');
  g.open();
  const done = await term.waitFor(/marker-one/);
  assert.match(done, /kubectl scale deployment web --replicas=3/);
  assert.not.match(done, /\*\*kubectl\*\*/, 'Markdown was not rendered');
  await term.waitFor(/Enter: send/);

  const req = server.requests[0]!.body;
  assert.is(req.stream, true);
  assert.equal(req.stream_options, { include_usage: true });
  assert.match(req.messages[0].content, /Kubernetes best practices/);
  const ledger = readFileSync(join(home, 'usage.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(ledger.map((e) => [e.source, e.model, e.total_tokens]), [['chat', 'chat-model', 70]]);

  term.type('and after that?');
  term.keys('Enter');
  await term.waitFor(/marker-two/);
  const second = server.requests[1]!.body.messages.map((m: { role: string }) => m.role);
  assert.equal(second, ['system', 'user', 'assistant', 'user'], 'the conversation was not kept as context');
  assert.match(server.requests[1]!.body.messages[2].content, /marker-one/);

  await term.waitFor(/Enter: send/);
  term.keys('C-l');
  await term.waitUntil((s) => !/marker-one|marker-two|you ›/.test(s), 'the transcript to clear');
  term.type('start over');
  term.keys('Enter');
  await term.waitFor(/marker-three/);
  assert.equal(server.requests[2]!.body.messages.map((m: { role: string }) => m.role), ['system', 'user'], 'clear did not drop the context');

  term.keys('C-c');
  await term.waitFor(/EXITED:0/);
});

test('full screen: PgUp scrolls the transcript, Escape returns to the input at the bottom', async () => {
  const home = tmpDir();
  const long = Array.from({ length: 60 }, (_, i) => `line-${String(i).padStart(2, '0')}`).join('\n\n');
  server.reply({ stream: [long.slice(0, 40), long.slice(40)] });
  term = startTerm([process.execPath, CLI, 'chat'], envFor(home));
  await term.waitFor(/Enter: send/);
  term.type('print many lines');
  term.keys('Enter');
  await term.waitFor(/line-59/);
  await term.waitFor(/Enter: send/);
  assert.not.match(term.screen(), /line-00/);
  term.keys('PPage');
  await term.waitFor(/scrolling \(\d+ lines up\)/);
  assert.not.match(term.screen(), /line-59/);
  term.keys('Escape');
  await term.waitFor(/Enter: send/);
  assert.match(term.screen(), /line-59/);
  term.keys('C-c');
  await term.waitFor(/EXITED:0/);
});

test('--no-graphics: a line chat that streams, keeps context, clears, quits, and saves its history', async () => {
  const home = tmpDir();
  const g = gate();
  server.reply(
    { stream: ['First piece of the answer; ', 'second piece (marker-line).'], gate: g.promise },
    { stream: ['Context answer (marker-ctx).'] },
    { stream: ['After clear (marker-clear).'] },
  );
  term = startTerm([process.execPath, CLI, 'chat', '--no-graphics'], envFor(home));
  await term.waitFor(/type quit, exit or q to leave/);
  await term.waitFor(/you ›\s*$/m);
  term.type('what is terraform state?');
  term.keys('Enter');
  const first = await term.waitFor(/cloudya › First piece of the answer;/);
  assert.not.match(first, /marker-line/);
  g.open();
  await term.waitFor(/second piece \(marker-line\)\.\s*\n\s*you ›/);
  term.type('and where should I keep it?');
  term.keys('Enter');
  await term.waitFor(/marker-ctx/);
  assert.equal(server.requests[1]!.body.messages.map((m: { role: string }) => m.role), ['system', 'user', 'assistant', 'user']);
  assert.match(server.requests[1]!.body.messages[0].content, /Terraform best practices/);
  term.type('clear');
  term.keys('Enter');
  await term.waitFor(/\(conversation cleared\)/);
  assert.not.match(term.screen(), /marker-ctx/);
  term.type('hello again');
  term.keys('Enter');
  await term.waitFor(/marker-clear/);
  assert.equal(server.requests[2]!.body.messages.map((m: { role: string }) => m.role), ['system', 'user']);
  term.type('quit');
  term.keys('Enter');
  await term.waitFor(/bye\s*\n\s*EXITED:0/);
  assert.equal(readFileSync(join(home, 'chat_history'), 'utf8').trim().split('\n'), ['what is terraform state?', 'and where should I keep it?', 'clear', 'hello again']);
});

test('--no-graphics without a model: the local planner answers, and says how to configure a model otherwise', async () => {
  const home = tmpDir();
  term = startTerm([process.execPath, CLI, 'chat', '--no-graphics'], { CLOUDYA_HOME: home, OPENAI_BASE_URL: '', OPENAI_API_KEY: '', NO_COLOR: '1' });
  await term.waitFor(/local planner \(no model configured\)/);
  await term.waitFor(/you ›\s*$/m);
  term.type('set up autoscaling for my pods');
  term.keys('Enter');
  await term.waitFor(/kubectl autoscale deployment web/);
  term.type('write a poem');
  term.keys('Enter');
  await term.waitFor(/To use a model: set OPENAI_API_KEY/);
  term.type('q');
  term.keys('Enter');
  await term.waitFor(/EXITED:0/);
});

test.run();
