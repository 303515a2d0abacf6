import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { Actor } from '../../lib/actor.ts';
import { weeklyReportTimes } from './tables.ts';

/** ISO weekdays: 1 is Monday, 7 is Sunday. */
export const isoWeekdays = [1, 2, 3, 4, 5, 6, 7] as const;
export type IsoWeekday = (typeof isoWeekdays)[number];
export const reportHours = Array.from({ length: 24 }, (_, hour) => hour);

/** When a person gets their weekly reports: a weekday and a whole hour, in their own time zone. */
export interface ReportTime {
  weekday: IsoWeekday;
  /** 0 to 23. */
  hour: number;
}

/** No choice made: Monday, 09:00. */
export const defaultReportTime: ReportTime = { weekday: 1, hour: 9 };

export function isReportTime(value: { weekday: number; hour: number }): value is ReportTime {
  return Number.isInteger(value.weekday) && value.weekday >= 1 && value.weekday <= 7 && Number.isInteger(value.hour) && value.hour >= 0 && value.hour <= 23;
}

export type SaveReportTimeResult = { ok: true } | { ok: false; reason: 'badWeekday' | 'badHour' };

export type ReportTimes = ReturnType<typeof createReportTimes>;

/** The weekday and hour of a person's weekly reports (no row: the default). */
export function createReportTimes(db: Db, deps: { now: () => number }) {
  const ofEachQuery = db
    .select({ userId: weeklyReportTimes.userId, weekday: weeklyReportTimes.weekday, hour: weeklyReportTimes.hour })
    .from(weeklyReportTimes)
    .where(sql`${weeklyReportTimes.userId} in (select value from json_each(${sql.placeholder('userIds')}))`)
    .prepare();
  const toTime = (row: { weekday: number; hour: number } | undefined): ReportTime => {
    const time = row && { weekday: row.weekday, hour: row.hour };
    return time && isReportTime(time) ? time : defaultReportTime;
  };

  return {
    /** The time of the person the actor acts for. */
    async of(actor: Actor): Promise<ReportTime> {
      const [row] = await ofEachQuery.execute({ userIds: JSON.stringify([actor.userId]) });
      return toTime(row);
    },

    async save(actor: Actor, time: { weekday: number; hour: number }): Promise<SaveReportTimeResult> {
      if (!Number.isInteger(time.weekday) || time.weekday < 1 || time.weekday > 7) return { ok: false, reason: 'badWeekday' };
      if (!Number.isInteger(time.hour) || time.hour < 0 || time.hour > 23) return { ok: false, reason: 'badHour' };
      const updatedAt = new Date(deps.now());
      await db
        .insert(weeklyReportTimes)
        .values({ userId: actor.userId, weekday: time.weekday, hour: time.hour, updatedAt })
        .onConflictDoUpdate({ target: weeklyReportTimes.userId, set: { weekday: time.weekday, hour: time.hour, updatedAt } });
      return { ok: true };
    },

    /** The times of each of these people, in one query (the scheduler's); the default for those with none. */
    async ofEach(userIds: readonly number[]): Promise<Map<number, ReportTime>> {
      const found = new Map<number, ReportTime>(userIds.map((userId) => [userId, defaultReportTime]));
      if (userIds.length === 0) return found;
      for (const row of await ofEachQuery.execute({ userIds: JSON.stringify(userIds) })) found.set(row.userId, toTime(row));
      return found;
    },
  };
}
