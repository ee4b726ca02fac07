// Talking to an OpenAI-compatible endpoint with the `openai` package (loaded
// lazily). The client's own retries are off (maxRetries: 0): whether and when
// to try again is the engine's `retry:` policy, decided on the error code.
import { CloudyaError } from '../../engine/errors.js';
import type { AiSettings } from './settings.js';
import { ANSWER_SCHEMA, parseAnswer, type Answer } from './answer.js';
import { addUsage, ZERO_USAGE, type Usage } from './usage-ledger.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

interface CallOptions {
  settings: AiSettings;
  signal?: AbortSignal;
  /** Hides the key (and the caller's secrets) in every message. */
  mask: (text: string) => string;
}

const TIMEOUT_MS = Number(process.env.CLOUDYA_AI_TIMEOUT_MS) || 120_000;

type OpenAIClient = import('openai').default;

async function client(settings: AiSettings): Promise<OpenAIClient> {
  const { default: OpenAI } = await import('openai');
  // A self-hosted server (Ollama, vLLM) needs no key, but the client insists on one.
  return new OpenAI({ apiKey: settings.apiKey ?? 'no-key', baseURL: settings.baseUrl, maxRetries: 0, timeout: TIMEOUT_MS });
}

/** Maps what the client throws to a cloudya error: transient ones retryable, the rest clear and final. */
export function aiError(err: unknown, settings: AiSettings, mask: (t: string) => string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? err;
  if (err instanceof CloudyaError) return err;
  const e = err as { status?: number; name?: string; message?: string; constructor?: { name?: string } };
  const kind = e.constructor?.name ?? e.name ?? '';
  const msg = mask(String(e.message ?? err)).replace(/\s+/g, ' ').slice(0, 300);
  const where = `${settings.baseUrl} (model ${settings.model})`;
  const opts = { cause: err };
  if (kind === 'APIUserAbortError') return new CloudyaError('E_AI_TRANSIENT', `request to ${where} was aborted`, opts);
  if (kind === 'APIConnectionTimeoutError') return new CloudyaError('E_AI_TRANSIENT', `${where} did not answer within ${TIMEOUT_MS / 1000}s`, { ...opts, hint: 'retry: in the workflow tries again; CLOUDYA_AI_TIMEOUT_MS sets the limit' });
  if (kind === 'APIConnectionError') return new CloudyaError('E_AI_TRANSIENT', `cannot reach ${settings.baseUrl}: ${msg}`, { ...opts, hint: 'check OPENAI_BASE_URL (or ai.base_url in ~/.cloudya/config.json) and that the server is up' });
  const status = e.status;
  if (status === 401 || status === 403) {
    return new CloudyaError('E_AI_AUTH', `${settings.baseUrl} refused the API key (${status}): ${msg}`, { ...opts, hint: `check the key in ${settings.from.apiKey === 'none' ? 'OPENAI_API_KEY (none is set)' : settings.from.apiKey}` });
  }
  if (status === 404) {
    return new CloudyaError('E_AI_MODEL', `${settings.baseUrl} does not know the model '${settings.model}' (404): ${msg}`, { ...opts, hint: `set another model with CLOUDYA_AI_MODEL or ai.model in ~/.cloudya/config.json (now from ${settings.from.model}); a base URL usually ends in /v1` });
  }
  if (status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500)) {
    return new CloudyaError('E_AI_TRANSIENT', `${where} failed with ${status}: ${msg}`, { ...opts, hint: 'transient: give the step a retry: policy, or try again later' });
  }
  if (status !== undefined) return new CloudyaError('E_AI_REQUEST', `${where} rejected the request (${status}): ${msg}`, opts);
  return new CloudyaError('E_AI_TRANSIENT', `${where}: ${msg}`, opts);
}

const JSON_INSTRUCTIONS = `Reply with one JSON object only, no prose and no code fence, matching this JSON Schema:\n${JSON.stringify(ANSWER_SCHEMA)}`;

export interface StructuredResult {
  answer: Answer;
  usage: Usage;
  /** How the answer was obtained: the server's structured output, or JSON asked for in the prompt. */
  format: 'json_schema' | 'json_prompt';
  /** Answers that failed the schema and were asked again. */
  reasked: number;
}

/**
 * Asks for a structured answer. Uses `response_format: json_schema`; a server
 * that rejects it (400/422) is asked again with the schema in the prompt. An
 * answer that fails the schema is re-asked once with what was wrong.
 */
export async function askStructured(messages: ChatMessage[], opts: CallOptions): Promise<StructuredResult> {
  const { settings, signal, mask } = opts;
  const api = await client(settings);
  let usage = ZERO_USAGE;
  let format: StructuredResult['format'] = 'json_schema';
  const call = async (msgs: ChatMessage[]): Promise<string> => {
    const body = {
      model: settings.model,
      messages: format === 'json_schema' ? msgs : [...msgs.slice(0, 1).map((m) => ({ ...m, content: `${m.content}\n\n${JSON_INSTRUCTIONS}` })), ...msgs.slice(1)],
      ...(format === 'json_schema' ? { response_format: { type: 'json_schema' as const, json_schema: { name: 'cloudya_answer', strict: true, schema: ANSWER_SCHEMA as unknown as Record<string, unknown> } } } : {}),
    };
    const res = await api.chat.completions.create(body, { ...(signal ? { signal } : {}) });
    usage = addUsage(usage, res.usage);
    const choice = res.choices[0]?.message;
    if (choice?.refusal) throw new CloudyaError('E_AI_BAD_ANSWER', `the model refused: ${mask(choice.refusal).slice(0, 300)}`);
    return choice?.content ?? '';
  };
  let text: string;
  try {
    try {
      text = await call(messages);
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status !== 400 && status !== 422) throw err;
      format = 'json_prompt';
      text = await call(messages);
    }
    let parsed = await parseAnswer(text);
    let reasked = 0;
    if ('problem' in parsed) {
      reasked = 1;
      const again: ChatMessage[] = [
        ...messages,
        { role: 'assistant', content: text },
        { role: 'user', content: `That answer does not match the required schema: ${parsed.problem}. Answer again with one JSON object that matches it exactly.` },
      ];
      text = await call(again);
      parsed = await parseAnswer(text);
      if ('problem' in parsed) {
        throw new CloudyaError('E_AI_BAD_ANSWER', `the model's answer did not match the schema twice: ${mask(parsed.problem).slice(0, 300)}`, {
          hint: 'try another model (CLOUDYA_AI_MODEL); small local models often cannot follow a JSON schema',
          details: { usage },
        });
      }
    }
    return { answer: parsed.answer, usage, format, reasked };
  } catch (err) {
    throw aiError(err, settings, mask, signal);
  }
}

export interface StreamResult {
  text: string;
  usage: Usage;
}

/** A free-text answer, streamed: `onDelta` gets each piece as it arrives. Usage comes in the last chunk. */
export async function streamAnswer(messages: ChatMessage[], opts: CallOptions & { onDelta: (text: string) => void }): Promise<StreamResult> {
  const { settings, signal, mask } = opts;
  try {
    const api = await client(settings);
    const stream = await api.chat.completions.create(
      { model: settings.model, messages, stream: true, stream_options: { include_usage: true } },
      { ...(signal ? { signal } : {}) },
    );
    let text = '';
    let usage = ZERO_USAGE;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta?.content;
      if (delta) {
        text += delta;
        opts.onDelta(delta);
      }
      if (chunk.usage) usage = addUsage(ZERO_USAGE, chunk.usage);
    }
    return { text, usage };
  } catch (err) {
    throw aiError(err, settings, mask, signal);
  }
}
