// cloudya resume RUN — continue an interrupted or failed run; succeeded steps are not run again.
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { concurrencyOption, driveWithUi, home, outputFormat } from '../drive.js';
import { reopenRun } from '../run-loader.js';
import { prewarmExec } from '../../engine/exec.js';

export default {
  register(prog: sade.Sade) {
    prog
      .command('resume <run>')
      .describe('Continue an interrupted or failed run (run id, unique prefix, or "last"). Succeeded steps keep their outputs and do not run again.')
      .option('--param', 'Give a parameter again (secret params must be): --param name=value')
      .option('--params-file', 'Read parameters from a YAML or JSON file')
      .option('--concurrency', 'Run at most N steps at once')
      .option('--no-rollback', 'On failure, leave what succeeded in place')
      .option('--output', 'text, json or ndjson', 'text')
      .option('-y, --yes', 'Approve every confirmation steps ask for')
      .action(async (id: string, opts: Record<string, unknown>) => {
        const format = outputFormat(opts.output);
        const concurrency = concurrencyOption(opts.concurrency);
        prewarmExec();
        const { store, state, loaded, params, secrets } = await reopenRun(home(), id, opts);
        const { resumeRun } = await import('../../engine/run.js');
        if (format === 'text') process.stderr.write(`resume ${store.id}\n`);
        return driveWithUi(format, (signal, onEvent, confirm) =>
          resumeRun({ store, loaded, params, secrets, ...(concurrency ? { concurrency } : {}), ...(opts.rollback === false ? { rollback: false } : {}), signal, onEvent, confirm }, state), { yes: opts.yes === true });
      });
  },
} satisfies CommandModule;
