// VMware vSphere: POST /api/session with basic auth (vSphere Automation API,
// vCenter 7.0 U2+), read who the session belongs to, then delete the session
// so checks do not pile up sessions on the vCenter.
import { send, jsonBody, basicAuth } from '../http.js';
import { connectFailure, httpFailure, quote } from '../failure.js';
import { hostUrl } from '../checks.js';
import { tlsOf } from './proxmox.js';
import type { Settings, Verified } from '../providers.js';

export async function verifyVmware(s: Settings, opts: { timeoutMs: number }): Promise<Verified> {
  const url = `${hostUrl(s.server ?? '')}/api/session`;
  const tls = tlsOf(s);
  const caAdvice = 'vCenter offers its CA at https://VCENTER/certs/download.zip';
  const res = await send({ method: 'POST', url, timeoutMs: opts.timeoutMs, tls, caAdvice, headers: { authorization: basicAuth(s.user ?? '', s.password ?? '') } });
  if (res.status === 404) throw httpFailure(url, 404, res.statusMessage, 'vCenter older than 7.0 U2 has no /api/session; check the server name, or use --no-verify');
  if (res.status !== 200 && res.status !== 201) {
    const messages = (jsonBody(res) as { messages?: { default_message?: string }[]; error_type?: string } | undefined);
    const said = messages?.messages?.map((m) => m.default_message).filter(Boolean).join('; ') || messages?.error_type || res.statusMessage || quote(res.body);
    throw httpFailure(url, res.status, said, 'check user (e.g. administrator@vsphere.local, with its domain) and password');
  }
  const token = jsonBody(res);
  if (typeof token !== 'string' || token === '') throw connectFailure('response', `${url} answered ${res.status} without a session id: ${quote(res.body, 160)}`, 'the server does not look like a vCenter', { url, status: res.status });
  const session = { 'vmware-api-session-id': token };
  let user = s.user ?? '';
  try {
    const info = await send({ method: 'GET', url, timeoutMs: opts.timeoutMs, tls, headers: session });
    const who = (jsonBody(info) as { user?: string } | undefined)?.user;
    if (info.status === 200 && who) user = who;
    await send({ method: 'DELETE', url, timeoutMs: opts.timeoutMs, tls, headers: session });
  } catch {
    // The login itself worked; reading the user and logging out are courtesy.
  }
  return { identity: `vCenter ${s.server} as ${user}` };
}
