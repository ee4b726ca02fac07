// cloudya doctor — which sandbox backends work on this machine (each tried for
// real), and which terraform and ansible-playbook cloudya would use.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type sade from 'sade';
import type { CommandModule } from '../main.js';
import type { Exec } from '../../steps/sandbox/bwrap.js';
import { textOrJson } from '../output/format.js';

interface ToolReport {
  name: string;
  found: boolean;
  path?: string;
  version?: string;
  detail?: string;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch { /* next */ }
  }
  return undefined;
}

async function checkTool(exec: Exec, name: string, configured: unknown, args: string[], version: (out: string) => string | undefined): Promise<ToolReport> {
  const path = typeof configured === 'string' && configured ? configured : onPath(name);
  if (!path) return { name, found: false, detail: `not found on PATH${typeof configured === 'string' ? '' : ` (set ${name === 'terraform' ? 'terraform_path' : 'ansible_path'} in ~/.cloudya/config.json to use another)`}` };
  try {
    const r = await exec(path, args, { reject: false });
    const v = version(r.stdout);
    return v ? { name, found: true, path, version: v } : { name, found: false, path, detail: `\`${name} ${args.join(' ')}\` exited ${r.exitCode}: ${r.stderr.trim().split('\n').pop() ?? ''}` };
  } catch (err) {
    return { name, found: false, path, detail: (err as Error).message };
  }
}

export default {
  register(prog: sade.Sade) {
    prog
      .command('doctor')
      .describe('Check which sandbox backends work here (each runs `true` for real) and find terraform and ansible-playbook.')
      .option('--output', 'text or json', 'text')
      .example('doctor --output json')
      .action(async (opts: Record<string, unknown>) => {
        const format = textOrJson(opts.output);
        const { execCommand } = await import('../../engine/exec.js');
        const { readConfig } = await import('../../engine/config.js');
        const { checkSandbox } = await import('../../steps/sandbox/doctor.js');
        const signal = new AbortController().signal;
        const exec: Exec = (file, args, options) => execCommand({ signal, mask: (t) => t }, file, args, options);
        const config = readConfig();
        const sandbox = await checkSandbox(exec);
        const tools = [
          await checkTool(exec, 'terraform', config.terraform_path, ['version', '-json'], (out) => {
            try { return (JSON.parse(out) as { terraform_version?: string }).terraform_version; } catch { return /v(\d+\.\d+\.\d+)/.exec(out)?.[1]; }
          }),
          await checkTool(exec, 'ansible-playbook', config.ansible_path, ['--version'], (out) => /(\d+\.\d+\.\d+)/.exec(out.split('\n')[0] ?? '')?.[1]),
        ];
        if (format === 'json') {
          process.stdout.write(JSON.stringify({ sandbox, tools }, null, 2) + '\n');
        } else {
          const w = Math.max(...sandbox.backends.map((b) => b.name.length));
          let out = 'sandbox backends\n';
          for (const b of sandbox.backends) {
            out += `  ${b.name.padEnd(w)}  ${b.works ? 'works      ' : 'unavailable'}  ${b.detail}\n`;
            if (b.hint) out += `  ${' '.repeat(w)}  fix: ${b.hint}\n`;
          }
          out += `isolation: auto uses ${sandbox.default ?? 'nothing: no isolating backend works here (steps fail with E_SANDBOX_UNAVAILABLE unless they say isolation: none)'}\n\ntools\n`;
          const tw = Math.max(...tools.map((t) => t.name.length));
          for (const t of tools) out += `  ${t.name.padEnd(tw)}  ${t.found ? `${t.version}  ${t.path}` : `missing  ${t.detail}`}\n`;
          process.stdout.write(out);
        }
        return sandbox.default ? 0 : 1;
      });
  },
} satisfies CommandModule;
