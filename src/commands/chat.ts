// cloudya chat — a full-screen terminal chat (ink), or with --no-graphics (or
// without a terminal) a plain line chat. -e runs the commands of an answer like
// `ask -e`: validated, confirmed, then in the sandbox.
import { resolve } from 'node:path';
import type sade from 'sade';
import type { CommandModule } from '../main.js';

export default {
  register(prog: sade.Sade) {
    prog
      .command('chat')
      .describe('Chat about DevOps tasks (full screen; --no-graphics for a plain line chat). Answers stream as they arrive.')
      .option('--no-graphics', 'A plain line chat for any terminal: quit/exit/q leaves, clear starts over')
      .option('-e, --execute', 'Offer to run the commands of each answer: validate → sandbox', false)
      .option('-y, --yes', 'With -e: run without asking (the validator still stops denied commands)', false)
      .option('--policy', 'With -e: the policy file for the validator')
      .example('chat')
      .example('chat --no-graphics -e')
      .action(async (opts: Record<string, unknown>) => {
        const exec = opts.execute ? { yes: opts.yes === true, ...(typeof opts.policy === 'string' ? { policy: resolve(opts.policy) } : {}) } : undefined;
        // ink draws only a final frame when it believes it runs in CI (a CI variable is set): use the line chat there.
        const inCi = Boolean(process.env.CI && process.env.CI !== '0' && process.env.CI !== 'false');
        const graphics = opts.graphics !== false && Boolean(process.stdin.isTTY && process.stdout.isTTY) && process.env.TERM !== 'dumb' && !inCi;
        if (!graphics) return (await import('../ai/chat-lines.js')).lineChat(exec);
        const { ChatSession } = await import('../ai/chat-session.js');
        const { colourFor } = await import('../ai/render-answer.js');
        const { fullScreenChat } = await import('../ai/chat-ui.js');
        return fullScreenChat(await ChatSession.create(), exec, colourFor(process.stdout));
      });
  },
} satisfies CommandModule;
