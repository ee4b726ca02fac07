// ansible: what ansible-playbook itself costs (per run, per task) next to what
// cloudya adds around it (workflow, inventory/vars files, callback, registry).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './run.js';

function playbook(tasks: number): string {
  let s = '- hosts: all\n  gather_facts: false\n  tasks:\n';
  for (let i = 0; i < tasks; i++) s += `    - name: t${i}\n      ansible.builtin.debug: { msg: "${i}" }\n`;
  return s;
}

export default async function (b: BenchContext): Promise<void> {
  const dir = join(b.work, 'ansible');
  mkdirSync(dir, { recursive: true });
  const inv = join(dir, 'inventory.yml');
  writeFileSync(inv, JSON.stringify({ all: { hosts: { localhost: { ansible_connection: 'local', ansible_python_interpreter: '/usr/bin/python3' } } } }));
  const runs = Math.max(3, Math.min(b.runs, 5));
  const raw: Record<number, number> = {};
  const viaCloudya: Record<number, number> = {};
  for (const n of [1, 21]) {
    writeFileSync(join(dir, `p${n}.yml`), playbook(n));
    writeFileSync(join(dir, `wf${n}.yaml`), `apiVersion: cloudya/v1\nkind: Workflow\nname: ansible-${n}\nsteps:\n  - { id: play, type: ansible, with: { playbook: p${n}.yml } }\n`);
    raw[n] = b.time(['ansible-playbook', '-i', inv, join(dir, `p${n}.yml`)], runs);
    viaCloudya[n] = b.time(['node', b.cli, 'run', join(dir, `wf${n}.yaml`), '--output', 'json'], runs);
  }
  const perTaskRaw = (raw[21]! - raw[1]!) / 20;
  const perTaskCloudya = (viaCloudya[21]! - viaCloudya[1]!) / 20;
  b.report('ansible-playbook, 1 debug task (local, no facts)', b.fmt(raw[1]!));
  b.report('ansible-playbook, per extra debug task', b.fmt(perTaskRaw));
  b.report('cloudya run, ansible step, 1 task', b.fmt(viaCloudya[1]!));
  b.report('cloudya overhead per run (cloudya run − ansible-playbook)', b.fmt(viaCloudya[1]! - raw[1]!));
  b.report('cloudya overhead per task (callback events, progress)', b.fmt(perTaskCloudya - perTaskRaw));
}
