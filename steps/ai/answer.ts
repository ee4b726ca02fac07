// The structured answer a model must give: the commands, an explanation of
// each, risks and prerequisites. Sent as `response_format: json_schema` (or
// spelled out in the prompt when a server rejects that) and checked with ajv.
export interface AnswerStep {
  command: string;
  explanation: string;
}

export interface Answer {
  explanation: string;
  steps: AnswerStep[];
  risks: string[];
  prerequisites: string[];
}

/** Strict-mode compatible: every property required, no extras. */
export const ANSWER_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['explanation', 'steps', 'risks', 'prerequisites'],
  properties: {
    explanation: { type: 'string', description: 'What the commands achieve, in two to five sentences' },
    steps: {
      type: 'array',
      description: 'The shell commands, in the order to run them',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['command', 'explanation'],
        properties: {
          command: { type: 'string', minLength: 1, description: 'One shell command' },
          explanation: { type: 'string', description: 'What this command does and why' },
        },
      },
    },
    risks: { type: 'array', items: { type: 'string' }, description: 'What could cost money, lose data or expose something' },
    prerequisites: { type: 'array', items: { type: 'string' }, description: 'Tools, credentials and resources needed first' },
  },
} as const;

type Check = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
let check: Check | undefined;

async function validator(): Promise<Check> {
  if (check) return check;
  const mod = (await import('ajv')) as unknown as { default: new (o: object) => { compile(s: object): Check } };
  const Ajv = (mod.default as unknown as { default?: typeof mod.default }).default ?? mod.default;
  return (check = new Ajv({ allErrors: true, strict: false }).compile(ANSWER_SCHEMA));
}

/** Parses a model's text (JSON, maybe inside a ``` fence) into an Answer, or says what is wrong. */
export async function parseAnswer(text: string): Promise<{ answer: Answer } | { problem: string }> {
  const body = text.trim().replace(/^```(?:json)?\s*\n([\s\S]*?)\n?```$/, '$1');
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    const start = body.indexOf('{');
    const end = body.lastIndexOf('}');
    try {
      if (start < 0 || end <= start) throw err;
      data = JSON.parse(body.slice(start, end + 1));
    } catch {
      return { problem: `the answer is not JSON (${(err as Error).message})` };
    }
  }
  const v = await validator();
  if (!v(data)) return { problem: (v.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim()).join('; ') };
  const answer = data as Answer;
  return { answer: { ...answer, steps: answer.steps.map((s) => ({ command: s.command.trim(), explanation: s.explanation })) } };
}
