// In-process harness: load a workflow from YAML text, run it with a real store
// in a temp CLOUDYA_HOME, collect the events.
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpDir } from '../helpers.js';
import { loadWorkflow } from '../../engine/validate.js';
import { resolveParams } from '../../src/params.js';
import { RunStore } from '../../engine/store.js';
import { startRun, resumeRun, rollbackRun, type DriveOptions } from '../../engine/run.js';
import type { RunEvent } from '../../engine/events.js';
import type { RunState } from '../../engine/state.js';

export interface Harness {
  dir: string;
  home: string;
  file: string;
  events: RunEvent[];
  state: RunState;
  store: RunStore;
  /** Lines of `marker` in the workflow dir. */
  marker(): string[];
}

function opts(file: string, home: string, params: Record<string, unknown>, events: RunEvent[], extra: Partial<DriveOptions>, store?: RunStore): DriveOptions {
  const loaded = loadWorkflow(file);
  const { values, secrets } = resolveParams(loaded.workflow, loaded.file, loaded.source, params);
  return {
    store: store ?? RunStore.create(home, { name: loaded.workflow.name, file: loaded.file, source: loaded.source }),
    loaded, params: values, secrets, onEvent: (e) => events.push(e), ...extra,
  };
}

export async function runYaml(yaml: string, params: Record<string, unknown> = {}, extra: Partial<DriveOptions> = {}): Promise<Harness> {
  const dir = tmpDir('cloudya-wf-');
  const home = join(dir, '.home');
  const file = join(dir, 'wf.yaml');
  writeFileSync(file, yaml);
  const events: RunEvent[] = [];
  const o = opts(file, home, params, events, extra);
  const state = await startRun(o);
  return {
    dir, home, file, events, state, store: o.store,
    marker: () => (existsSync(join(dir, 'marker')) ? readFileSync(join(dir, 'marker'), 'utf8').split('\n').filter(Boolean) : []),
  };
}

export async function resumeHarness(h: Harness, params: Record<string, unknown> = {}, extra: Partial<DriveOptions> = {}): Promise<RunState> {
  h.events.length = 0;
  const store = RunStore.open(h.home, h.store.id);
  h.state = await resumeRun(opts(h.file, h.home, params, h.events, extra, store), store.readState()!);
  return h.state;
}

export async function rollbackHarness(h: Harness, params: Record<string, unknown> = {}): Promise<RunState> {
  h.events.length = 0;
  const store = RunStore.open(h.home, h.store.id);
  h.state = await rollbackRun(opts(h.file, h.home, params, h.events, {}, store), store.readState()!);
  return h.state;
}

/** A sandbox step that appends `text` to ./marker. */
export function mark(text: string): string {
  return `{ isolation: none, command: "echo ${text} >> marker" }`;
}
