// monitor install: a systemd unit that keeps `monitor record` running.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InstallOptions { home: string; intervalMs: number; services: string[]; dir?: string }

export function unitText(o: InstallOptions): string {
  const cli = fileURLToPath(new URL('../cli.js', import.meta.url));
  const args = ['monitor', 'record', '--interval', `${o.intervalMs / 1000}`, ...o.services.flatMap((s) => ['--service', s])];
  return `[Unit]
Description=cloudya metrics recorder (cloudya monitor record)
After=network.target

[Service]
Type=simple
Environment=CLOUDYA_HOME=${o.home}
ExecStart=${process.execPath} ${cli} ${args.join(' ')}
Restart=always
RestartSec=5
Nice=10

[Install]
WantedBy=multi-user.target
`;
}

export function installUnit(o: InstallOptions): number {
  const systemd = existsSync('/run/systemd/system');
  const dir = o.dir ?? (systemd ? '/etc/systemd/system' : join(o.home, 'systemd'));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'cloudya-monitor.service');
  writeFileSync(file, unitText(o));
  process.stdout.write(`${file}\n`);
  process.stderr.write(systemd
    ? `start it with: systemctl daemon-reload && systemctl enable --now cloudya-monitor\n`
    : `systemd is not running on this machine; copy ${file} to /etc/systemd/system/ on a systemd host, or run \`cloudya monitor record\` under your own supervisor\n`);
  return 0;
}
