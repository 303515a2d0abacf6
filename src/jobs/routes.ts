import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFoundPage } from '../web/errors.ts';
import { emptyForm, parseForm } from '../web/form.ts';
import { requireAdmin, requireViewer } from '../web/guards.ts';
import type { Scheduler } from './scheduler.ts';

export const jobsPath = '/admin/jobs';

/** How long "Run now" waits for the run before answering that it goes on in the background. */
const runNowWaitMs = 10_000;

/** Job names as addresses say them. */
const jobOfSlug: Record<string, string> = { 'weekly-reports': 'weeklyReports', backups: 'backups' };

/**
 * The administrator's scheduled jobs (to everyone else the page does not exist): each job's
 * schedule, last and next run, and "Run now", which runs the same run under the same once-only rule.
 */
export async function registerJobRoutes(app: FastifyInstance, options: { scheduler: Scheduler }): Promise<void> {
  const renderPage = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) =>
    reply.page('admin/jobs', { jobs: await options.scheduler.jobs(), refused: null, ...extra }, status);

  app.get(jobsPath, { preHandler: [requireViewer, requireAdmin] }, async (request, reply) => renderPage(request, reply));

  app.post(`${jobsPath}/:job/run`, { preHandler: [requireViewer, requireAdmin] }, async (request, reply) => {
    const slug = (request.params as { job?: unknown }).job;
    const job = typeof slug === 'string' && Object.hasOwn(jobOfSlug, slug) ? (jobOfSlug[slug] ?? null) : null;
    if (!job || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
    const outcome = await options.scheduler.runNow(job, runNowWaitMs);
    if (!outcome.ok) {
      if (outcome.reason === 'unknownJob') return notFoundPage(reply);
      return renderPage(request, reply, { refused: job }, 409);
    }
    if ('backup' in outcome) {
      if (outcome.backup === null) return reply.redirectWithFlash(jobsPath, { kind: 'success', messageKey: 'jobs.flash.started' });
      return reply.redirectWithFlash(jobsPath, outcome.backup.ok ? { kind: 'success', messageKey: 'jobs.flash.backupTaken' } : { kind: 'error', messageKey: 'jobs.flash.backupFailed' });
    }
    if (outcome.finished === null) return reply.redirectWithFlash(jobsPath, { kind: 'success', messageKey: 'jobs.flash.started' });
    return reply.redirectWithFlash(jobsPath, { kind: 'success', messageKey: 'jobs.flash.finished' });
  });
}
