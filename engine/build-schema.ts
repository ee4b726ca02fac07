// Build step (`npm run build` runs it after tsc): writes schemas/workflow.schema.json
// for editors and dist/engine/validators.js, the precompiled ajv validators that
// `validate` uses so that no schema is compiled when a workflow is checked.
import { writeFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stepRegistry, STEP_TYPES } from '../steps/index.js';
import { buildWorkflowSchema, schemaFingerprint } from './workflow-schema.js';
import { standaloneValidators } from './schema-compile.js';
import type { Validators } from './schema-compile.js';

const schemaFile = fileURLToPath(new URL('../../schemas/workflow.schema.json', import.meta.url));
const validatorsFile = fileURLToPath(new URL('./validators.js', import.meta.url));

async function stepSchemas(): Promise<Record<string, object>> {
  const out: Record<string, object> = {};
  for (const type of [...STEP_TYPES].sort()) out[type] = (await stepRegistry[type]()).default.schema as object;
  return out;
}

function writeIfChanged(file: string, text: string): void {
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const schemas = await stepSchemas();
writeIfChanged(schemaFile, JSON.stringify(buildWorkflowSchema(schemas), null, 2) + '\n');
writeIfChanged(validatorsFile, await standaloneValidators(schemas, schemaFingerprint(buildWorkflowSchema({}))));

// The generated module must load as ESM and accept a minimal workflow, or the build fails.
const mod = (await import(`${pathToFileURL(validatorsFile).href}?check=${Date.now()}`)) as {
  validateDocument: Validators['document'];
  withValidators: Validators['with'];
};
const minimal = { apiVersion: 'cloudya/v1', kind: 'Workflow', name: 'check', steps: [{ id: 'a', type: 'sandbox' }] };
if (!mod.validateDocument(minimal)) throw new Error(`generated validator rejects a minimal workflow: ${JSON.stringify(mod.validateDocument.errors)}`);
const missing = STEP_TYPES.filter((t) => typeof mod.withValidators[t] !== 'function');
if (missing.length) throw new Error(`generated validators miss step types: ${missing.join(', ')}`);
