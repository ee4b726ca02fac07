# cloudya's stdout callback for ansible-playbook: short human-readable lines on
# stdout (what `cloudya logs` shows) and one JSON object per event appended to
# the file named by CLOUDYA_ANSIBLE_EVENTS (what the `ansible` step reads for
# live progress and its outputs). Results of `no_log` tasks arrive censored.
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = '''
    name: cloudya_json
    type: stdout
    short_description: one JSON event per task and host, for cloudya
    description:
        - Writes JSON lines to $CLOUDYA_ANSIBLE_EVENTS and a short summary to stdout.
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase

MSG_LIMIT = 2000


def _text(value):
    if value is None:
        return ''
    if isinstance(value, (list, tuple)):
        return '\n'.join(_text(v) for v in value)
    return str(value)


def _message(res):
    """The most useful one-line-ish description of a failed or unreachable result."""
    if res.get('censored'):
        return _text(res.get('censored'))
    parts = []
    msg = _text(res.get('msg')).strip()
    if msg:
        parts.append(msg)
    for key in ('stderr', 'module_stderr'):
        tail = _text(res.get(key)).strip()
        if tail and tail not in msg:
            parts.append('\n'.join(tail.splitlines()[-5:]))
            break
    if not parts and res.get('rc') is not None:
        parts.append('exit code %s' % res.get('rc'))
    text = '\n'.join(parts)
    return text[:MSG_LIMIT]


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'cloudya_json'

    def __init__(self):
        super(CallbackModule, self).__init__()
        path = os.environ.get('CLOUDYA_ANSIBLE_EVENTS')
        self._out = open(path, 'a', buffering=1) if path else None
        self._task_started = {}

    def _emit(self, event):
        if self._out is None:
            return
        event['t'] = round(time.time() * 1000)
        self._out.write(json.dumps(event, default=str) + '\n')
        self._out.flush()

    def _say(self, line):
        self._display.display(line)

    # -- playbook structure -------------------------------------------------
    def v2_playbook_on_play_start(self, play):
        name = play.get_name().strip()
        self._say('PLAY [%s]' % name)
        self._emit({'event': 'play', 'name': name})

    def _task_start(self, task, handler=False):
        name = task.get_name().strip()
        self._task_started[task._uuid] = time.time()
        self._say('%s [%s]' % ('HANDLER' if handler else 'TASK', name))
        self._emit({'event': 'task_start', 'task': name, 'action': task.action, 'handler': handler})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._task_start(task, handler=True)

    def v2_playbook_on_no_hosts_matched(self):
        self._say('no hosts matched')
        self._emit({'event': 'no_hosts'})

    # -- results --------------------------------------------------------------
    def _result(self, result, status, ignore_errors=False):
        res = result._result
        host = result._host.get_name()
        task = result._task.get_name().strip()
        started = self._task_started.get(result._task._uuid)
        event = {
            'event': 'result',
            'host': host,
            'task': task,
            'action': result._task.action,
            'status': status,
            'changed': bool(res.get('changed', False)),
        }
        if started is not None:
            event['ms'] = round((time.time() - started) * 1000)
        if status in ('failed', 'unreachable'):
            event['msg'] = _message(res)
            if ignore_errors:
                event['ignored'] = True
        if status == 'ok':
            facts = res.get('ansible_facts') or {}
            if isinstance(facts, dict) and isinstance(facts.get('cloudya_publish'), dict):
                event['publish'] = facts['cloudya_publish']
        self._emit(event)
        line = '%s: [%s]' % ('changed' if status == 'ok' and event['changed'] else status, host)
        if status in ('failed', 'unreachable'):
            line += ': %s%s' % (event['msg'].splitlines()[0] if event['msg'] else '', ' (ignored)' if ignore_errors else '')
        self._say(line)

    def v2_runner_on_ok(self, result):
        self._result(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, 'failed', ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._result(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._result(result, 'unreachable')

    def v2_runner_retry(self, result):
        res = result._result
        self._say('retrying: [%s] (%s left)' % (result._host.get_name(), res.get('retries', 0) - res.get('attempts', 0)))

    # -- the end --------------------------------------------------------------
    def v2_playbook_on_stats(self, stats):
        hosts = {}
        for host in sorted(stats.processed.keys()):
            s = stats.summarize(host)
            hosts[host] = {
                'ok': s.get('ok', 0),
                'changed': s.get('changed', 0),
                'failed': s.get('failures', 0),
                'unreachable': s.get('unreachable', 0),
                'skipped': s.get('skipped', 0),
                'rescued': s.get('rescued', 0),
                'ignored': s.get('ignored', 0),
            }
            self._say('%s: ok=%d changed=%d failed=%d unreachable=%d skipped=%d' % (
                host, hosts[host]['ok'], hosts[host]['changed'], hosts[host]['failed'], hosts[host]['unreachable'], hosts[host]['skipped']))
        self._emit({'event': 'stats', 'hosts': hosts, 'custom': getattr(stats, 'custom', {}) or {}})
