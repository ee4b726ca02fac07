// Where cloudya keeps its data: ~/.cloudya, or $CLOUDYA_HOME.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cloudyaHome(): string {
  return process.env.CLOUDYA_HOME || join(homedir(), '.cloudya');
}
