/** What a command ends with: its exit code (0 done, 1 failed or found a problem, 2 wrong command line). */
export type ExitCode = 0 | 1 | 2;

/** Where a command writes: what it did, and what went wrong. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}
