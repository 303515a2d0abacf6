/** Where a key stands in its window after one more call. */
export interface WindowCount {
  allowed: boolean;
  remaining: number;
  msBeforeNext: number;
}

/**
 * Fixed one-window-per-key counting in this process's memory, with the same windows as the
 * database counter (`createWindowCounter` in db/rate-limiter.ts): the first call opens a window
 * of `durationMs`, and calls past `points` in it are refused until it ends. Only for limits on
 * load, where forgetting the counts at a restart lets a caller through one window early at most:
 * limits on guessing stay in the database. Windows that have ended are dropped as new ones open,
 * so the map holds at most the keys seen in the last window.
 */
export function createMemoryWindowCounter(options: { points: number; durationMs: number; now?: () => number }): { consume(key: string): WindowCount } {
  const now = options.now ?? Date.now;
  const windows = new Map<string, { points: number; endsAt: number }>();
  let nextSweepAt = 0;
  const sweep = (at: number) => {
    for (const [key, window] of windows) if (window.endsAt <= at) windows.delete(key);
    nextSweepAt = at + options.durationMs;
  };
  return {
    consume(key) {
      const at = now();
      if (at >= nextSweepAt) sweep(at);
      let window = windows.get(key);
      if (!window || window.endsAt <= at) {
        window = { points: 0, endsAt: at + options.durationMs };
        windows.set(key, window);
      }
      window.points++;
      return { allowed: window.points <= options.points, remaining: Math.max(options.points - window.points, 0), msBeforeNext: window.endsAt - at };
    },
  };
}
