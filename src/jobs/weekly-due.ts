import { DateTime } from 'luxon';
import type { IsoWeekName } from '../reports/weekly-types.ts';
import type { ReportTime } from '../settings/notifications/report-time.ts';

/** The ISO 8601 name of the week a local time falls in: "2026-W05", "2026-W53". */
export function weekNameOf(local: DateTime): IsoWeekName {
  return `${local.weekYear}-W${String(local.weekNumber).padStart(2, '0')}`;
}

/**
 * The instant a local wall-clock hour of a day occurs in `zone`. An hour the clocks skip (spring
 * forward) is the first instant after the gap; an hour that occurs twice (fall back) is the first of the two.
 */
export function localHourInstant(zone: string, day: { year: number; month: number; day: number }, hour: number): Date {
  const wanted = DateTime.fromObject({ ...day, hour }, { zone });
  const sameWallClock = (candidate: DateTime) =>
    candidate.year === day.year && candidate.month === day.month && candidate.day === day.day && candidate.hour === hour && candidate.minute === 0;
  // Skipped: luxon moves a time in a gap forward by the gap's length, which for a whole hour is where the gap ends.
  if (!sameWallClock(wanted)) return wanted.toJSDate();
  // Repeated: an hour or half an hour earlier the wall clock may already have shown the same time.
  for (const minutes of [60, 30]) {
    const earlier = wanted.minus({ minutes });
    if (sameWallClock(earlier)) return earlier.toJSDate();
  }
  return wanted.toJSDate();
}

/** A week's report that is due now: which week, from when, and until when it may still be sent. */
export interface DueReport {
  week: IsoWeekName;
  dueFrom: Date;
  /** The end of the week after the report's week, in the reader's zone: after it, the report is never sent. */
  dueUntil: Date;
}

/**
 * The report due for a reader at `now`, or null. The report of ISO week W (Monday to Sunday in the
 * reader's zone) is due from the reader's weekday and hour in week W+1 until the end of W+1; so at
 * any instant at most one week is due, and after downtime only the current week's report is sent,
 * never last week's. Wall-clock arithmetic is luxon's, so a daylight-saving change neither skips
 * nor doubles a week.
 */
export function dueReport(now: Date, zone: string, time: ReportTime): DueReport | null {
  const local = DateTime.fromJSDate(now, { zone });
  // A zone the clock library does not know (one dropped from the time zone database): UTC rather than no report at all.
  if (!local.isValid) return zone === 'UTC' ? null : dueReport(now, 'UTC', time);
  const weekStart = local.startOf('week');
  const dueDay = weekStart.plus({ days: time.weekday - 1 });
  const dueFrom = localHourInstant(zone, { year: dueDay.year, month: dueDay.month, day: dueDay.day }, time.hour);
  if (now.getTime() < dueFrom.getTime()) return null;
  const previousWeek = weekStart.minus({ days: 1 });
  return { week: weekNameOf(previousWeek), dueFrom, dueUntil: weekStart.plus({ weeks: 1 }).toJSDate() };
}

/** The first instant of an ISO week in `zone` (its Monday 00:00, or the first instant after it on a day that skips midnight). */
export function weekStartIn(week: IsoWeekName, zone: string): Date {
  const [year, number] = week.split('-W').map(Number) as [number, number];
  const monday = DateTime.fromObject({ weekYear: year, weekNumber: number, weekday: 1 }, { zone: 'UTC' });
  return localHourInstant(zone, { year: monday.year, month: monday.month, day: monday.day }, 0);
}
