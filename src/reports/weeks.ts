import { DateTime } from 'luxon';
import type { IsoWeekName } from './weekly-types.ts';

/**
 * ISO 8601 weeks in a person's zone. A week runs from Monday 00:00 to the next Monday 00:00 on the
 * wall clock there, so a week with a daylight-saving change is 167 or 169 hours long, and its days
 * 23 or 25 hours; every bound is worked out by luxon from the zone's rules, never by adding hours.
 */

const weekShape = /^(\d{4})-W(\d{2})$/;

export interface ParsedWeek {
  weekYear: number;
  weekNumber: number;
}

/** The week a name stands for, or null when it is not a well-formed ISO week that exists ("2026-W54" does not). */
export function parseWeek(name: string): ParsedWeek | null {
  const match = weekShape.exec(name);
  if (!match) return null;
  const weekYear = Number(match[1]);
  const weekNumber = Number(match[2]);
  if (weekYear < 1970 || weekYear > 9999 || weekNumber < 1) return null;
  const monday = DateTime.fromObject({ weekYear, weekNumber, weekday: 1 }, { zone: 'utc' });
  if (!monday.isValid || weekNumber > monday.weeksInWeekYear) return null;
  return { weekYear, weekNumber };
}

export function weekName(week: ParsedWeek): IsoWeekName {
  return `${week.weekYear}-W${String(week.weekNumber).padStart(2, '0')}`;
}

const mondayIn = (week: ParsedWeek, zone: string) => DateTime.fromObject({ weekYear: week.weekYear, weekNumber: week.weekNumber, weekday: 1 }, { zone }).startOf('day');

/**
 * The eight instants (ms) that bound the week's seven days in `zone`: Monday 00:00, Tuesday 00:00,
 * … and the next Monday 00:00. Day i is [bounds[i], bounds[i + 1]).
 */
export function dayBounds(week: ParsedWeek, zone: string): number[] {
  // A weekly run asks the same few weeks in the same few zones for every organization.
  const key = `${week.weekYear}-${week.weekNumber}|${zone}`;
  const known = knownBounds.get(key);
  if (known) return known;
  const monday = mondayIn(week, zone);
  const bounds: number[] = [];
  for (let day = 0; day <= 7; day += 1) bounds.push(monday.plus({ days: day }).startOf('day').toMillis());
  if (knownBounds.size >= 2000) knownBounds.clear();
  knownBounds.set(key, bounds);
  return bounds;
}

const knownBounds = new Map<string, number[]>();

/** The week's start and end (exclusive) in `zone`, in ms. */
export function weekBounds(week: ParsedWeek, zone: string): { start: number; end: number } {
  const bounds = dayBounds(week, zone);
  return { start: bounds[0] ?? 0, end: bounds[7] ?? 0 };
}

/** The local date of each of the week's days ("2026-11-23"), Monday first. */
export function dayDates(week: ParsedWeek): string[] {
  const key = `${week.weekYear}-${week.weekNumber}`;
  let dates = knownDates.get(key);
  if (!dates) {
    const monday = mondayIn(week, 'utc');
    dates = Array.from({ length: 7 }, (_, day) => monday.plus({ days: day }).toISODate() ?? '');
    if (knownDates.size >= 200) knownDates.clear();
    knownDates.set(key, dates);
  }
  return dates;
}

const knownDates = new Map<string, string[]>();

export function shiftWeek(week: ParsedWeek, weeks: number): ParsedWeek {
  const moved = mondayIn(week, 'utc').plus({ weeks });
  return { weekYear: moved.weekYear, weekNumber: moved.weekNumber };
}

/** The week an instant falls in, on the wall clock of `zone`. */
export function weekOf(at: number, zone: string): ParsedWeek {
  const local = DateTime.fromMillis(at, { zone });
  return { weekYear: local.weekYear, weekNumber: local.weekNumber };
}

/** The last week that has ended in `zone` at `now`: the one a report is sent for. */
export function lastFinishedWeek(now: number, zone: string): ParsedWeek {
  return shiftWeek(weekOf(now, zone), -1);
}

/** Whether the week has not begun yet in `zone`. */
export function isFutureWeek(week: ParsedWeek, now: number, zone: string): boolean {
  return weekBounds(week, zone).start > now;
}

/** Whether a zone name is one luxon (and so the platform's Intl) knows. */
export function isKnownZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    known = DateTime.now().setZone(zone).isValid;
    if (knownZones.size >= 2000) knownZones.clear();
    knownZones.set(zone, known);
  }
  return known;
}

const knownZones = new Map<string, boolean>();
