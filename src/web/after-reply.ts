import type { FastifyInstance, FastifyReply } from 'fastify';

declare module 'fastify' {
  interface FastifyReply {
    /** Runs `task` once the answer has been sent, so the time to answer does not depend on it. */
    afterReply(task: () => void | Promise<void>): void;
  }
}

/** Where work queued with reply.afterReply() runs; tests may collect it instead. The task never rejects: failures are logged. */
export type AfterReplyRunner = (task: () => Promise<void>) => void;

export const runSoon: AfterReplyRunner = (task) => {
  setImmediate(() => void task());
};

export function registerAfterReply(app: FastifyInstance, run: AfterReplyRunner = runSoon): void {
  const queued = new WeakMap<FastifyReply, Array<() => void | Promise<void>>>();
  app.decorateReply('afterReply', function afterReply(this: FastifyReply, task: () => void | Promise<void>) {
    const tasks = queued.get(this);
    if (tasks) tasks.push(task);
    else queued.set(this, [task]);
  });
  // A callback hook: most answers queue nothing, and then no Promise is made for them.
  app.addHook('onResponse', (request, reply, done) => {
    const tasks = queued.get(reply);
    if (!tasks) return done();
    queued.delete(reply);
    for (const task of tasks) {
      run(async () => {
        try {
          await task();
        } catch (error) {
          request.log.error({ err: error }, 'work after the answer failed');
        }
      });
    }
    done();
  });
}
