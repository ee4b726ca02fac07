// Finding the cgroup hierarchy: v1 (this machine), v2, hybrid, and the reasons
// given when limits cannot be set. Also how a failed bwrap trial is explained.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../helpers.js';
import { detectLayout, parseMountinfo, parseProcCgroup } from '../../steps/sandbox/cgroup-layout.js';
import { diagnoseBwrap } from '../../steps/sandbox/bwrap.js';

const HYBRID = `25 30 0:22 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
26 25 0:23 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
27 25 0:24 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
28 25 0:25 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
29 25 0:26 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const HYBRID_SELF = '9:name=systemd:/\n8:pids:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n';

test('cgroup v1 (hybrid, as on this machine): one directory per controller, our own cgroup in each', () => {
  const r = detectLayout(HYBRID, HYBRID_SELF);
  assert.equal(r, { ok: true, layout: { version: 1, dirs: { memory: '/sys/fs/cgroup/memory/process_api/abc', pids: '/sys/fs/cgroup/pids', cpu: '/sys/fs/cgroup/cpu' } } });
});

test('cgroup v1 with a combined cpu,cpuacct mount and escaped paths', () => {
  const mounts = parseMountinfo('26 25 0:23 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n40 1 0:50 / /mnt/with\\040space rw - ext4 /dev/sda1 rw\n');
  assert.equal(mounts.map((m) => m.point), ['/sys/fs/cgroup/cpu,cpuacct', '/mnt/with space']);
  assert.equal([...parseProcCgroup('3:cpu,cpuacct:/user.slice\n')], [['cpu', '/user.slice'], ['cpuacct', '/user.slice']]);
});

test('cgroup v1 without a cpu hierarchy is refused with the reason', () => {
  const r = detectLayout(HYBRID.replace(/.*rw,cpu\n/, ''), HYBRID_SELF);
  assert.equal(r, { ok: false, reason: 'cgroup v1 is mounted without the cpu controller' });
});

test('cgroup v2: the unified mount, our cgroup in it, its controllers', () => {
  const mount = tmpDir('cloudya-cg2-');
  writeFileSync(join(mount, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
  const r = detectLayout(`30 1 0:26 / ${mount} rw - cgroup2 cgroup2 rw\n`, '0::/user.slice/user-1000.slice/session-3.scope\n');
  assert.equal(r, { ok: true, layout: { version: 2, mount, own: join(mount, 'user.slice/user-1000.slice/session-3.scope'), controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'] } });
});

test('cgroup v2 whose controllers are bound elsewhere is refused with the reason', () => {
  const mount = tmpDir('cloudya-cg2-');
  writeFileSync(join(mount, 'cgroup.controllers'), 'hugetlb\n');
  const r = detectLayout(`30 1 0:26 / ${mount} rw - cgroup2 cgroup2 rw\n`, '0::/\n');
  assert.is(r.ok, false);
  assert.match((r as { reason: string }).reason, /offers no memory, pids, cpu controller \(controllers: hugetlb\)/);
});

test('no cgroups at all', () => {
  assert.equal(detectLayout('22 1 0:5 / / rw - ext4 /dev/sda rw\n', ''), { ok: false, reason: 'no cgroup v1 memory and pids hierarchies and no cgroup v2 mount' });
});

test('this machine: the real layout is found', () => {
  const r = detectLayout();
  assert.ok(r.ok, JSON.stringify(r));
});

test('a failed bwrap trial is explained with what to change', () => {
  const ns = diagnoseBwrap('bwrap: No permissions to create new namespace, likely because the kernel does not allow non-privileged user namespaces.\n');
  assert.is(ns.ok, false);
  assert.match(ns.detail, /cannot create (a user namespace|its namespaces)/);
  assert.ok(ns.hint && ns.hint.length > 20);
  const other = diagnoseBwrap('bwrap: Unexpected capabilities but not setuid, old file caps config?\n');
  assert.match(other.detail, /bwrap failed a trial run \(bwrap: Unexpected capabilities/);
  assert.match(other.hint!, /bwrap --ro-bind \/ \/ --unshare-all true/);
});

test.run();
