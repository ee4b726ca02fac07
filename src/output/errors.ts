// Turning errors into one clear message and an exit code. Stacks only with CLOUDYA_DEBUG=1.
import { CloudyaError, ValidationError, type Diagnostic } from '../../engine/errors.js';
import { paint } from './color.js';

export function formatDiagnostic(d: Diagnostic): string {
  const where = paint.bold(`${d.file}:${d.line}:${d.col}`);
  return `${where}: ${paint.red('error')} ${d.code} ${d.message}${d.hint ? `\n  ${paint.dim('hint:')} ${d.hint}` : ''}`;
}

export function printError(err: unknown): number {
  const debug = process.env.CLOUDYA_DEBUG === '1';
  if (err instanceof ValidationError) {
    for (const d of err.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    process.stderr.write(`${err.diagnostics.length} problem${err.diagnostics.length === 1 ? '' : 's'} found; nothing was run.\n`);
  } else if (err instanceof CloudyaError) {
    process.stderr.write(`${paint.red('error')} ${err.shortMessage}\n`);
  } else if (isSystemError(err)) {
    // The machine said no (a path that is a file, no permission, a full disk): not a bug of ours.
    process.stderr.write(`${paint.red('error')} E_USAGE cannot use ${err.path ?? 'a file'}: ${err.code}${err.syscall ? ` (${err.syscall})` : ''}\n  hint: check the path and its permissions; cloudya keeps its data in ${process.env.CLOUDYA_HOME ? `CLOUDYA_HOME=${process.env.CLOUDYA_HOME}` : '~/.cloudya'}\n`);
  } else {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${paint.red('error')} E_INTERNAL ${msg}\n  hint: this is a bug in cloudya; rerun with CLOUDYA_DEBUG=1 and report the stack\n`);
  }
  if (debug && err instanceof Error && err.stack) {
    process.stderr.write(`${err.stack}\n`);
    let cause = err.cause;
    while (cause instanceof Error) {
      process.stderr.write(`caused by: ${cause.stack}\n`);
      cause = cause.cause;
    }
  }
  return err instanceof CloudyaError ? err.exitCode : isSystemError(err) ? 2 : 1;
}

function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && ['ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EEXIST', 'ENOENT', 'ELOOP', 'ENAMETOOLONG'].includes(code);
}
