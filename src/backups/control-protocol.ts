import path from 'node:path';

/**
 * What `dials backup` and `dials restore` ask a serving Dials over its control socket, and what it
 * answers: one JSON object per line, one request per connection.
 */
export type ControlRequest = { command: 'ping' } | { command: 'backup'; file: string };

export type ControlAnswer = { ok: true; message: string } | { ok: false; message: string };

/** The longest request a serving Dials reads; anything longer is refused. */
export const longestRequest = 16 * 1024;

export function parseControlRequest(line: string): ControlRequest | null {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const { command, file } = value as Record<string, unknown>;
    if (command === 'ping') return { command };
    if (command === 'backup' && typeof file === 'string' && path.isAbsolute(file)) return { command, file };
    return null;
  } catch {
    return null;
  }
}
