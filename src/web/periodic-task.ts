import type { FastifyInstance } from 'fastify';

export interface PeriodicTask {
  /** What the log says when a run fails ("sweeping ended sessions failed"); the next run tries again. */
  failure: string;
  /** The first run waits this long after start, so that start (and the first answers) never wait for it. */
  firstAfterMs: number;
  everyMs: number;
  work: () => Promise<void>;
  /** Work to finish as the app closes, after the timer is stopped. */
  atClose?: () => Promise<void>;
}

/** Runs a task shortly after the app is ready, then at a fixed interval, until it closes. Timers never keep the process alive. */
export function registerPeriodicTask(app: FastifyInstance, task: PeriodicTask): void {
  let timer: NodeJS.Timeout | undefined;
  const run = () => {
    task.work().catch((error: unknown) => app.log.error({ err: error }, task.failure));
  };
  app.addHook('onReady', async () => {
    timer = setTimeout(() => {
      run();
      timer = setInterval(run, task.everyMs);
      timer.unref();
    }, task.firstAfterMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearTimeout(timer);
    clearInterval(timer);
    await task.atClose?.();
  });
}
