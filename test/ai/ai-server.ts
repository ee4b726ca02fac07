// A local HTTP server that speaks the OpenAI Chat Completions API (JSON and SSE
// streaming with usage), so tests drive the real `openai` client. Each request
// takes the next scripted reply; every request is recorded.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply =
  | { answer: unknown; usage?: Usage; delayMs?: number }
  | { content: string; usage?: Usage; delayMs?: number }
  | { status: number; message: string; delayMs?: number }
  | { stream: string[]; usage?: Usage; delayMs?: number; gapMs?: number; gate?: Promise<void> };

export interface Usage { prompt_tokens: number; completion_tokens: number; total_tokens: number }

export interface Recorded {
  body: Record<string, any>;
  headers: IncomingMessage['headers'];
}

export interface AiServer {
  url: string;
  /** Base URL for OPENAI_BASE_URL. */
  baseUrl: string;
  requests: Recorded[];
  /** Queue replies; when the queue is empty, `fallback` answers. */
  reply(...r: Reply[]): void;
  /** Forget queued replies and recorded requests. */
  reset(): void;
  fallback: Reply | ((req: Recorded) => Reply);
  close(): Promise<void>;
}

const DEFAULT_USAGE: Usage = { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startAiServer(): Promise<AiServer> {
  const queue: Reply[] = [];
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}`, type: 'invalid_request_error' } }));
          return;
        }
        const rec: Recorded = { body: JSON.parse(raw || '{}'), headers: req.headers };
        requests.push(rec);
        const next = queue.shift() ?? (typeof api.fallback === 'function' ? api.fallback(rec) : api.fallback);
        if (next.delayMs) await sleep(next.delayMs);
        const model = String(rec.body.model ?? 'test-model');
        const base = { id: `chatcmpl-${requests.length}`, created: Math.floor(Date.now() / 1000), model };
        if ('status' in next) {
          res.writeHead(next.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: next.message, type: next.status === 401 ? 'invalid_request_error' : 'server_error', code: null, param: null } }));
          return;
        }
        if ('stream' in next) {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
          const send = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
          send({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
          for (const [i, piece] of next.stream.entries()) {
            if (i === 1 && next.gate) await next.gate;
            else if (i > 0 && next.gapMs) await sleep(next.gapMs);
            send({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
          }
          send({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
          if (rec.body.stream_options?.include_usage) send({ ...base, object: 'chat.completion.chunk', choices: [], usage: next.usage ?? DEFAULT_USAGE });
          res.end('data: [DONE]\n\n');
          return;
        }
        const content = 'answer' in next ? JSON.stringify(next.answer) : next.content;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: next.usage ?? DEFAULT_USAGE,
        }));
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api: AiServer = {
    url,
    baseUrl: `${url}/v1`,
    requests,
    reply: (...r) => void queue.push(...r),
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    fallback: { status: 500, message: 'no reply scripted' },
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
  return api;
}

/** A well-formed structured answer. */
export function answer(commands: string[], extra: Partial<{ explanation: string; risks: string[]; prerequisites: string[] }> = {}): unknown {
  return {
    explanation: extra.explanation ?? `Runs ${commands.length} command(s).`,
    steps: commands.map((command) => ({ command, explanation: `runs ${command.split(' ')[0]}` })),
    risks: extra.risks ?? ['none'],
    prerequisites: extra.prerequisites ?? [],
  };
}
