// terraform's own cost per invocation (offline, terraform_data) next to what
// cloudya adds around the same deploy: a workflow with one terraform step that
// runs init, plan, apply and output in a fresh deployment folder.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './run.js';

const config = `variable "n" {
  type = number
}

resource "terraform_data" "r" {
  count = var.n
  input = count.index
}

output "ids" {
  value = terraform_data.r[*].id
}
`;

export default async function (b: BenchContext): Promise<void> {
  const dir = join(b.work, 'tf-bench');
  mkdirSync(join(dir, 'tf'), { recursive: true });
  writeFileSync(join(dir, 'tf', 'main.tf'), config);
  const env = { ...b.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
  const tf = (args: string[], n: number) => {
    const t = performance.now();
    const r = spawnSync('terraform', args, { cwd: join(dir, 'tf'), env: { ...env, TF_VAR_n: String(n) }, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`terraform ${args.join(' ')}: ${r.stderr.toString().slice(-500)}`);
    return performance.now() - t;
  };
  const runs = Math.max(3, Math.min(b.runs, 5));
  const init: number[] = [];
  for (let i = 0; i < runs; i++) init.push(tf(['init', '-input=false', '-json'], 1));
  b.report('terraform init (no providers to install)', b.fmt(b.median(init)));

  for (const n of [1, 50]) {
    const plan: number[] = [];
    const apply: number[] = [];
    const output: number[] = [];
    const destroy: number[] = [];
    for (let i = 0; i < runs; i++) {
      plan.push(tf(['plan', '-input=false', '-json', '-out=p.tfplan'], n));
      apply.push(tf(['apply', '-input=false', '-json', 'p.tfplan'], n));
      output.push(tf(['output', '-json'], n));
      destroy.push(tf(['destroy', '-auto-approve', '-input=false', '-json'], n));
    }
    const direct = b.median(init) + b.median(plan) + b.median(apply) + b.median(output);
    b.report(`terraform plan, ${n} terraform_data`, b.fmt(b.median(plan)));
    b.report(`terraform apply, ${n} terraform_data`, `${b.fmt(b.median(apply))}  (${(b.median(apply) / n).toFixed(2)} ms per resource)`);
    b.report(`terraform output / destroy, ${n} terraform_data`, `${b.fmt(b.median(output))} / ${b.fmt(b.median(destroy))}`);

    // The same deploy through cloudya: a fresh deployment each run (init, plan, apply, output).
    const wf = join(dir, `wf-${n}.yaml`);
    writeFileSync(wf, `apiVersion: cloudya/v1\nkind: Workflow\nname: tf-bench-${n}\nsteps:\n  - id: tf\n    type: terraform\n    with: { source: tf, vars: { n: ${n} } }\n`);
    const whole = b.time([process.execPath, b.cli, 'run', wf, '--output', 'json'], runs);
    b.report(`cloudya run: one terraform step, ${n} terraform_data`, b.fmt(whole));
    b.report(`  of which terraform (init+plan+apply+output, direct)`, b.fmt(direct));
    b.report(`  cloudya's own overhead (process, engine, records)`, `${b.fmt(whole - direct)}  (${((whole - direct) / whole * 100).toFixed(0)} %)`);
  }
  rmSync(join(b.env.CLOUDYA_HOME as string, 'deployments'), { recursive: true, force: true });
}
