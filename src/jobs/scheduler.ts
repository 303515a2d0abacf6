import type { Db } from '../db/client.ts';
import { lastRun, runGoing, type JobRun, type JobRunCounts } from './job-runs.ts';
import { weeklyReportClaimMs, weeklyReportsJob, type WeeklyReports } from './weekly-reports.ts';

/** Every five minutes: a report goes out within five minutes of its reader's hour. */
export const weeklyReportsSchedule = '*/5 * * * *';
const everyMs = 5 * 60_000;

export interface SchedulerLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** A scheduled job as the administrator's page shows it. */
export interface JobView {
  name: 'weeklyReports' | 'backups';
  schedule: string;
  lastRun: JobRun | null;
  /** When this process runs it next; null when it does not schedule it (not serving). */
  nextRun: Date | null;
  running: boolean;
  /** Whether "Run now" can run it here. */
  canRunNow: boolean;
  /** For backups: the last backup taken (its file's time), since backups are not recorded as runs. */
  lastBackupAt?: Date | null;
}

export type RunNowResult =
  | { ok: true; finished: JobRunCounts | null }
  | { ok: true; backup: { ok: true } | { ok: false } | null }
  | { ok: false; reason: 'running' | 'unknownJob' };

/** Takes one scheduled backup, as the schedule does (backups/nightly.ts); never throws. */
export type BackupRun = () => Promise<{ ok: boolean }>;

export type Scheduler = ReturnType<typeof createScheduler>;

/**
 * The jobs Dials runs by itself, with node-cron: the weekly reports every five minutes (one run at a
 * time in a process; several processes are safe, each report being claimed in the database), and
 * what the administrator's page shows of them. node-cron loads only when the schedule starts.
 */
export function createScheduler(
  db: Db,
  deps: {
    now: () => number;
    weeklyReports: WeeklyReports | null;
    backups: { schedule: string | null; lastBackupAt: () => Date | null; take: BackupRun };
    log: SchedulerLog;
  },
) {
  let running: Promise<JobRunCounts> | null = null;
  let backupRunning: Promise<{ ok: boolean }> | null = null;
  let started = false;

  /** Waits for `work` up to `waitMs`; null when it is still going. */
  const waitFor = async <T>(work: Promise<T>, waitMs: number): Promise<T | null> => {
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([work, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)))]);
    clearTimeout(timer);
    return waited;
  };

  /** Runs the weekly reports unless a run is going here; answers its counts. */
  const runWeeklyReports = (trigger: 'schedule' | 'hand'): Promise<JobRunCounts> | null => {
    if (!deps.weeklyReports || running) return null;
    const run = deps.weeklyReports.run(trigger).finally(() => {
      running = null;
    });
    running = run;
    return run;
  };

  const nextFiveMinutes = (now: number) => new Date(Math.floor(now / everyMs) * everyMs + everyMs);

  return {
    /** Starts the schedule (when Dials serves); answers the function that stops it, after a run in progress ends. */
    async start(): Promise<() => Promise<void>> {
      if (!deps.weeklyReports) {
        deps.log.warn({}, 'no weekly report builder: weekly reports are not sent');
        return async () => {};
      }
      const cron = await import('node-cron');
      const task = cron.schedule(
        weeklyReportsSchedule,
        async () => {
          try {
            await runWeeklyReports('schedule');
          } catch (error) {
            deps.log.error({ err: error }, 'the weekly reports run failed');
          }
        },
        {
          name: 'weekly-reports',
          noOverlap: true,
          logger: {
            info: () => {},
            warn: (message) => deps.log.warn({}, `weekly reports schedule: ${message}`),
            error: (message, error) => deps.log.error({ err: error }, `weekly reports schedule: ${String(message)}`),
            debug: () => {},
          },
        },
      );
      started = true;
      return async () => {
        started = false;
        await task.destroy();
        await running;
      };
    },

    /**
     * "Run now": the same run as the schedule's, under the same once-only rule. Refused while a run is
     * going, here or (started within a claim's length) in another process. Waits up to `waitMs` for it
     * to finish; `finished` (or `backup`) is null when it is still going.
     */
    async runNow(job: string, waitMs: number): Promise<RunNowResult> {
      if (job === 'backups' && deps.backups.schedule) {
        if (backupRunning) return { ok: false, reason: 'running' };
        const backup = deps.backups.take().finally(() => {
          backupRunning = null;
        });
        backupRunning = backup;
        const done = await waitFor(backup, waitMs);
        return { ok: true, backup: done && (done.ok ? { ok: true } : { ok: false }) };
      }
      if (job !== 'weeklyReports' || !deps.weeklyReports) return { ok: false, reason: 'unknownJob' };
      if (running || (await runGoing(db, weeklyReportsJob, new Date(deps.now() - weeklyReportClaimMs)))) return { ok: false, reason: 'running' };
      const run = runWeeklyReports('hand');
      if (!run) return { ok: false, reason: 'running' };
      return { ok: true, finished: await waitFor(run, waitMs) };
    },

    /** The run going in this process, if any (tests and shutdown wait for it). */
    current: (): Promise<JobRunCounts> | null => running,

    async jobs(): Promise<JobView[]> {
      const now = deps.now();
      const views: JobView[] = [];
      if (deps.weeklyReports) {
        const last = await lastRun(db, weeklyReportsJob);
        const going = running !== null || (await runGoing(db, weeklyReportsJob, new Date(now - weeklyReportClaimMs)));
        views.push({ name: 'weeklyReports', schedule: weeklyReportsSchedule, lastRun: last, nextRun: started ? nextFiveMinutes(now) : null, running: going, canRunNow: !going });
      }
      if (deps.backups.schedule) {
        let nextRun: Date | null;
        try {
          const cron = await import('node-cron');
          const task = cron.createTask(deps.backups.schedule, () => {});
          nextRun = task.getNextRuns(1)[0] ?? null;
          await task.destroy();
        } catch {
          nextRun = null;
        }
        views.push({ name: 'backups', schedule: deps.backups.schedule, lastRun: null, nextRun, running: backupRunning !== null, canRunNow: backupRunning === null, lastBackupAt: deps.backups.lastBackupAt() });
      }
      return views;
    },
  };
}
