// cloudya run FILE — validate, resolve params, start a run and drive it to an end.
import { resolve } from 'node:path';
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { concurrencyOption, driveWithUi, home, outputFormat } from '../drive.js';
import { collectParams } from '../param-options.js';
import { prewarmExec } from '../../engine/exec.js';

export default {
  register(prog: sade.Sade) {
    prog
      .command('run <file>')
      .describe('Run a workflow file. Progress goes to stderr; the result to stdout.')
      .option('--param', 'Set a parameter: --param name=value (repeatable)')
      .option('--params-file', 'Read parameters from a YAML or JSON file')
      .option('--concurrency', 'Run at most N steps at once (default: the workflow’s, or 4)')
      .option('--no-rollback', 'On failure, leave what succeeded in place (undo later with `cloudya rollback`)')
      .option('--output', 'text, json or ndjson (live events)', 'text')
      .option('-y, --yes', 'Approve every confirmation steps ask for (e.g. commands the validator could not clear)')
      .example('run deploy.yaml --param region=eu-west-3')
      .action(async (file: string, opts: Record<string, unknown>) => {
        const format = outputFormat(opts.output);
        const concurrency = concurrencyOption(opts.concurrency);
        // The process runner boots (~100 ms) while the workflow loads and validates.
        prewarmExec();
        const { loadWorkflow } = await import('../../engine/validate.js');
        const { resolveParams } = await import('../params.js');
        const { RunStore } = await import('../../engine/store.js');
        const { startRun } = await import('../../engine/run.js');
        const loaded = loadWorkflow(resolve(file));
        const { values, secrets } = resolveParams(loaded.workflow, loaded.file, loaded.source, collectParams(opts));
        const store = RunStore.create(home(), { name: loaded.workflow.name, file: loaded.file, source: loaded.source });
        if (format === 'text') process.stderr.write(`run ${store.id}\n`);
        return driveWithUi(format, (signal, onEvent, confirm) =>
          startRun({ store, loaded, params: values, secrets, ...(concurrency ? { concurrency } : {}), rollback: opts.rollback !== false, signal, onEvent, confirm }), { yes: opts.yes === true });
      });
  },
} satisfies CommandModule;
