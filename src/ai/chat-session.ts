// One chat conversation, shared by the full-screen and the line chat: the
// context kept across turns, streamed answers from the model (usage recorded),
// or the local planner when no model is configured.
import type { ChatMessage } from '../../steps/ai/client.js';
import type { AiSettings } from '../../steps/ai/settings.js';
import type { Usage } from '../../steps/ai/usage-ledger.js';

/** Turns kept as context (user + assistant messages); older ones are dropped. */
const KEEP_MESSAGES = 24;

export interface TurnResult {
  text: string;
  usage: Usage;
  source: 'model' | 'local-planner';
  /** Shell commands in the answer (what `-e` would run). */
  commands: string[];
}

export class ChatSession {
  readonly messages: ChatMessage[] = [];
  private constructor(readonly settings: AiSettings) {}

  static async create(): Promise<ChatSession> {
    const { resolveAiSettings } = await import('../../steps/ai/settings.js');
    const settings = resolveAiSettings();
    // Warm up in the background, so the first question does not wait for these imports.
    const warm = async () => {
      const { loadKnowledge } = await import('../../steps/ai/knowledge.js');
      await loadKnowledge();
      if (settings.configured) await Promise.all([import('openai'), import('../../steps/ai/client.js')]);
      else await import('../../steps/ai/planner.js');
    };
    setTimeout(() => void warm().catch(() => {}), 0);
    return new ChatSession(settings);
  }

  get label(): string {
    return this.settings.configured ? `${this.settings.model} at ${this.settings.baseUrl}` : 'local planner (no model configured)';
  }

  clear(): void {
    this.messages.length = 0;
  }

  /** Sends one user message; `onDelta` gets the answer as it arrives. */
  async send(text: string, onDelta: (piece: string) => void, signal?: AbortSignal): Promise<TurnResult> {
    const { extractCommands } = await import('./extract.js');
    this.messages.push({ role: 'user', content: text });
    if (!this.settings.configured) {
      const answer = await plannerAnswer(text);
      onDelta(answer.text);
      this.messages.push({ role: 'assistant', content: answer.text });
      return { ...answer, usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, source: 'local-planner' };
    }
    const [{ streamAnswer }, { loadKnowledge, selectTopics, knowledgeText }, { CHAT_PROMPT, systemMessage }, { keyMasker }, { recordUsage }] = await Promise.all([
      import('../../steps/ai/client.js'),
      import('../../steps/ai/knowledge.js'),
      import('../../steps/ai/prompts.js'),
      import('../../steps/ai/settings.js'),
      import('../../steps/ai/usage-ledger.js'),
    ]);
    // Topics follow the whole conversation, so a follow-up ("and make it private") keeps them.
    const asked = this.messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n');
    const system = systemMessage(CHAT_PROMPT, undefined, knowledgeText(selectTopics(await loadKnowledge(), asked).slice(0, 3)));
    const context = this.messages.slice(-KEEP_MESSAGES);
    try {
      const r = await streamAnswer([{ role: 'system', content: system }, ...context], { settings: this.settings, mask: keyMasker(this.settings), onDelta, ...(signal ? { signal } : {}) });
      this.messages.push({ role: 'assistant', content: r.text });
      recordUsage({ model: this.settings.model, source: 'chat', ...r.usage });
      return { text: r.text, usage: r.usage, source: 'model', commands: extractCommands(r.text) };
    } catch (err) {
      this.messages.pop(); // the question stays unanswered: do not send it twice as context
      throw err;
    }
  }
}

/** The planner's recipe as Markdown, or how to configure a model. */
async function plannerAnswer(text: string): Promise<{ text: string; commands: string[] }> {
  const [{ loadKnowledge }, { planLocally }, { CONFIGURE_HINT }] = await Promise.all([
    import('../../steps/ai/knowledge.js'),
    import('../../steps/ai/planner.js'),
    import('../../steps/ai/settings.js'),
  ]);
  const p = planLocally(await loadKnowledge(), text);
  if (!p) {
    return { text: `No AI model is configured, and the local planner has no vetted recipe for that.\n\nTo use a model: ${CONFIGURE_HINT}.`, commands: [] };
  }
  const md = [
    `**${p.title}** (vetted recipe \`${p.recipe}\`)`,
    '',
    p.explanation,
    '',
    '```bash',
    ...p.steps.map((s) => s.command),
    '```',
    '',
    ...p.steps.map((s, i) => `${i + 1}. ${s.explanation}`),
    ...(p.risks.length ? ['', '**Risks**', ...p.risks.map((r) => `- ${r}`)] : []),
    ...(p.prerequisites.length ? ['', '**Prerequisites**', ...p.prerequisites.map((r) => `- ${r}`)] : []),
  ].join('\n');
  return { text: md, commands: p.steps.map((s) => s.command) };
}
