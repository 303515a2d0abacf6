/**
 * The arithmetic of a weekly report, kept apart from reading and showing it so each rule has a test.
 */

/**
 * The p-th percentile (0 to 100) of values sorted ascending, interpolated linearly between the two
 * nearest ranks (the usual "type 7" definition, as spreadsheets compute it): the median of 1, 2, 3, 4
 * is 2.5, the 95th percentile of 1 … 20 is 19.05. Null for no values.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  if (n === 1) return sorted[0] ?? null;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const below = Math.floor(rank);
  const above = Math.min(n - 1, below + 1);
  const low = sorted[below] ?? 0;
  const high = sorted[above] ?? 0;
  return low + (high - low) * (rank - below);
}

export const median = (sorted: ArrayLike<number>): number | null => percentile(sorted, 50);

/** Ascending numeric sort into a typed array (no comparator calls, no boxing). */
export function sortedDurations(values: readonly number[] | Float64Array): Float64Array {
  const sorted = Float64Array.from(values);
  sorted.sort();
  return sorted;
}

/** What changed from the week before: the difference, or null when either side has no value. */
export function change(current: number | null, previous: number | null): number | null {
  return current === null || previous === null ? null : current - previous;
}

/** Success rate of finished builds, 0 to 1; null when none finished. */
export function successRate(succeeded: number, finished: number): number | null {
  return finished === 0 ? null : succeeded / finished;
}

export interface Ranked<K> {
  key: K;
  total: number;
}

/**
 * The `limit` busiest entries by total (ties by key order as given), and the total of the rest.
 * Entries with a zero total are never among the busiest.
 */
export function busiest<K>(entries: ReadonlyArray<Ranked<K>>, limit: number): { top: Array<Ranked<K>>; rest: Array<Ranked<K>>; restTotal: number } {
  const ranked = entries.filter((entry) => entry.total > 0).map((entry, index) => ({ entry, index }));
  ranked.sort((a, b) => b.entry.total - a.entry.total || a.index - b.index);
  const top = ranked.slice(0, limit).map((item) => item.entry);
  const rest = ranked.slice(limit).map((item) => item.entry);
  return { top, rest, restTotal: rest.reduce((sum, entry) => sum + entry.total, 0) };
}

/** The index of the day an instant falls in, given the days' bounds (ascending, one more than days); -1 outside. */
export function dayIndex(bounds: readonly number[], at: number): number {
  if (bounds.length < 2 || at < (bounds[0] ?? 0) || at >= (bounds[bounds.length - 1] ?? 0)) return -1;
  let day = 0;
  while (day < bounds.length - 2 && at >= (bounds[day + 1] ?? 0)) day += 1;
  return day;
}
