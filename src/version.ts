import { readProjectText } from './runtime/project-files.ts';

/** The version of Dials, from its package.json. */
export function dialsVersion(): string {
  return (JSON.parse(readProjectText('package.json')) as { version: string }).version;
}
