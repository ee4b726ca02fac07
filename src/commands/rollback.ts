// cloudya rollback RUN — undo what a run changed, most recent step first.
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { driveWithUi, home, outputFormat } from '../drive.js';
import { reopenRun } from '../run-loader.js';
import { prewarmExec } from '../../engine/exec.js';

export default {
  register(prog: sade.Sade) {
    prog
      .command('rollback <run>')
      .describe('Undo a finished, failed or interrupted run: compensate its succeeded steps in reverse completion order.')
      .option('--param', 'Give a parameter again (secret params must be): --param name=value')
      .option('--params-file', 'Read parameters from a YAML or JSON file')
      .option('--output', 'text, json or ndjson', 'text')
      .action(async (id: string, opts: Record<string, unknown>) => {
        const format = outputFormat(opts.output);
        prewarmExec();
        const { store, state, loaded, params, secrets } = await reopenRun(home(), id, opts);
        const { rollbackRun } = await import('../../engine/run.js');
        if (format === 'text') process.stderr.write(`rollback ${store.id}\n`);
        return driveWithUi(format, (signal, onEvent) => rollbackRun({ store, loaded, params, secrets, signal, onEvent }, state), ['rolled_back']);
      });
  },
} satisfies CommandModule;
