// What the judge knows about one simple command found in a script. Every rule
// of the policy is a condition on these facts.
import type { Arg } from './words.js';

/** How an interpreter gets its code: parsed (and judged) here, inline code in another language, stdin, a file, unknown, or none at all. */
export type ScriptSource = 'parsed' | 'inline' | 'stdin' | 'file' | 'dynamic' | 'none';
export const SCRIPT_SOURCES: readonly ScriptSource[] = ['parsed', 'inline', 'stdin', 'file', 'dynamic', 'none'];

export interface Redirect {
  op: string;
  /** Null for a target that is not known before run time. */
  target: Arg;
  dir: 'in' | 'out' | 'both';
}

export interface Assign {
  name: string;
  value: string | null;
}

export interface Cmd {
  /** `command`: a program run with arguments; `assignment`: `NAME=value` on its own line. */
  kind: 'command' | 'assignment';
  /** Program basename (`/bin/rm` → `rm`); null when the name is only known at run time. */
  name: string | null;
  argv0: Arg;
  args: Arg[];
  redirects: Redirect[];
  /** Variables set for this command (prefix `A=1 cmd`, `env A=1`, `export A=1`) or by the assignment. */
  assigns: Assign[];
  /** Commands whose output reaches this one: earlier in its pipeline, or inside its `$(…)`/`<(…)`. */
  feeders: Cmd[];
  /** The commands of the pipeline element right before this one (its stdin). */
  prev: Cmd[];
  /** Text given on stdin by a here-doc or here-string; null when it is not static. */
  stdin?: string | null;
  /** Set for interpreters and `eval`: where the code they run comes from. */
  script?: ScriptSource;
  /** The name is a shell function the script defined. */
  fnCall?: boolean;
  /** The shell function this command is defined in. */
  fn?: string;
  /** The directory the command runs in, as far as the script says (see Scope.cwd). */
  cwd: string | null;
  /** Source text, for messages. */
  text: string;
  /** Wrappers and shells it was found inside (`sudo`, `sh -c`, `find -exec`…). */
  via: string[];
}

/** Something that stops a script from being judged completely. */
export interface Problem {
  kind: 'unparseable' | 'too-deep';
  text: string;
}
