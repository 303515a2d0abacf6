import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { jobRuns } from './tables.ts';

export interface JobRunCounts {
  sent: number;
  skipped: number;
  failures: number;
}

export interface JobRun extends JobRunCounts {
  id: number;
  trigger: 'schedule' | 'hand';
  startedAt: Date;
  finishedAt: Date | null;
}

export async function startRun(db: Db, run: { job: string; owner: string; trigger: 'schedule' | 'hand'; startedAt: Date }): Promise<number> {
  const [row] = await db.insert(jobRuns).values(run).returning({ id: jobRuns.id });
  if (!row) throw new Error('the job run was not recorded');
  return row.id;
}

export async function finishRun(db: Db, runId: number, finishedAt: Date, counts: JobRunCounts): Promise<void> {
  await db.update(jobRuns).set({ finishedAt, ...counts }).where(eq(jobRuns.id, runId));
}

/** A job's latest run, finished or not. */
export async function lastRun(db: Db, job: string): Promise<JobRun | null> {
  const [row] = await db
    .select({ id: jobRuns.id, trigger: jobRuns.trigger, startedAt: jobRuns.startedAt, finishedAt: jobRuns.finishedAt, sent: jobRuns.sent, skipped: jobRuns.skipped, failures: jobRuns.failures })
    .from(jobRuns)
    .where(eq(jobRuns.job, job))
    .orderBy(desc(jobRuns.startedAt), desc(jobRuns.id))
    .limit(1);
  return row ?? null;
}

/** Whether a run of the job, by any process, started after `since` and has not finished (an older one's process is taken to have died). */
export async function runGoing(db: Db, job: string, since: Date): Promise<boolean> {
  const [row] = await db
    .select({ id: jobRuns.id })
    .from(jobRuns)
    .where(and(eq(jobRuns.job, job), isNull(jobRuns.finishedAt), gt(jobRuns.startedAt, since)))
    .limit(1);
  return row !== undefined;
}
