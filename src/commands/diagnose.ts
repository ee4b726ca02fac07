// cloudya diagnose system | service NAME | deployment ID — compile into a
// workflow of probe steps, run it (or print it with --emit), then report the
// findings most severe first. Exit 0 when nothing is critical, 1 otherwise.
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import { CloudyaError } from '../../engine/errors.js';
import { cloudyaHome as home } from '../home.js';
import type { Diagnosis } from '../diagnose/compile.js';
import { textOrJson } from '../output/format.js';

async function diagnose(make: () => Diagnosis | Promise<Diagnosis>, opts: Record<string, unknown>, madeBy: string): Promise<number> {
  const fmt = textOrJson(opts.output);
  const d = await make();
  const { emitWorkflow, runGenerated } = await import('../generated.js');
  if (opts.emit) return emitWorkflow(d.workflow, madeBy);
  const { buildReport, printReport } = await import('../diagnose/report.js');
  let code = 1;
  const exit = await runGenerated(d.workflow, madeBy, {
    format: fmt,
    report: false,
    onDone: (state) => {
      const r = buildReport(d.target, state, d.findings);
      if (fmt === 'json') process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      else printReport(r);
      if (state.status !== 'succeeded' && state.error && fmt === 'text') process.stderr.write(`run ${state.runId} ${state.status}: ${state.error.code} ${state.error.message}\n`);
      code = state.status === 'interrupted' ? 130 : r.healthy && state.status === 'succeeded' ? 0 : 1;
    },
  });
  return exit === 130 ? 130 : code;
}

const TARGETS = ['system', 'service', 'deployment'];

const common = (c: sade.Sade) => c.option('--emit', 'Print the workflow instead of running it').option('--output', 'text or json', 'text');

export default {
  register(prog: sade.Sade) {
    // `diagnose` alone, or a misspelt target: say what exists (sade prefers the longer names below).
    prog
      .command('diagnose [what]')
      .describe('Find problems and say how to fix them: diagnose system | service NAME | deployment ID')
      .action(async (what: string | undefined) => {
        const { didYouMean } = await import('../../engine/suggest.js');
        const guess = what ? didYouMean(what, TARGETS) : undefined;
        throw new CloudyaError('E_USAGE', what ? `unknown diagnose target '${what}'` : 'diagnose what?', { hint: guess ? `did you mean \`cloudya diagnose ${guess}\`?` : 'use `cloudya diagnose system`, `diagnose service NAME` or `diagnose deployment ID`' });
      });
    common(prog.command('diagnose system').describe('Find problems on this machine: CPU, load, memory, swap, disks, inodes, processes'))
      .example('diagnose system')
      .example('diagnose system --output json')
      .action(async (opts: Record<string, unknown>) => {
        const { compileSystem } = await import('../diagnose/compile.js');
        return diagnose(compileSystem, opts, 'cloudya diagnose system');
      });
    common(prog.command('diagnose service <name>').describe('Diagnose one service: state, processes, ports, recent logs'))
      .option('--port', 'A TCP port the service must listen on')
      .example('diagnose service mysql')
      .example('diagnose service nginx --port 80')
      .action(async (name: string, opts: Record<string, unknown>) => {
        let port: number | undefined;
        if (opts.port !== undefined) {
          port = Number(opts.port);
          if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CloudyaError('E_USAGE', `--port must be a port number (1-65535), got '${String(opts.port)}'`);
        }
        const { compileService } = await import('../diagnose/compile.js');
        return diagnose(() => compileService(String(name), port), opts, `cloudya diagnose service ${name}${port ? ` --port ${port}` : ''}`);
      });
    common(prog.command('diagnose deployment <id>').describe('Check what a deployment recorded: its hosts, ports and URLs answer, its apps are healthy'))
      .example('diagnose deployment dep-20261125-aws-ec2-1a2b')
      .action(async (id: string, opts: Record<string, unknown>) => {
        const { compileDeployment } = await import('../diagnose/compile.js');
        return diagnose(() => compileDeployment(home(), String(id)), opts, `cloudya diagnose deployment ${id}`);
      });
  },
} satisfies CommandModule;
