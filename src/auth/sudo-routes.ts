import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { localRedirectTarget } from '../lib/local-redirect.ts';
import { formLevel, parseForm, type FieldErrors } from '../web/form.ts';
import { actorOf, requireViewer, viewerOf } from '../web/guards.ts';
import { homePath } from '../web/navigation.ts';
import { clientDetails } from '../web/session.ts';
import { sudoForm } from './forms.ts';
import type { AuthRouteOptions } from './route-options.ts';
import { startSession } from './start-session.ts';
import { sudoPath } from './sudo.ts';
import { describePendingAction } from './sudo-actions.ts';
import type { PendingAction } from './sudo-continuation.ts';

/**
 * "Confirm access": the password again (and the second factor when enrolled) before a sensitive
 * action. When the action was a posted form, it is kept and finished afterwards on "Continue".
 */
export function registerSudoRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const sudoMinutes = Math.round(options.sudoWindowMs / 60_000);
  const continuePath = (resume: string) => `/sudo/continue?${new URLSearchParams({ resume }).toString()}`;

  const pendingOf = (request: FastifyRequest, resume: unknown): { sealed: string; action: PendingAction } | null => {
    const action = options.sudoContinuations.open(resume, viewerOf(request).user.id);
    return action && typeof resume === 'string' ? { sealed: resume, action } : null;
  };

  const render = (
    reply: FastifyReply,
    enrolled: boolean,
    next: string,
    pending: { sealed: string; action: PendingAction } | null,
    errors: FieldErrors,
    status = 200,
    notKept = false,
  ) =>
    reply.page(
      'auth/sudo',
      { enrolled, values: { next, resume: pending?.sealed ?? '' }, pending: pending ? describePendingAction(pending.action) : null, notKept, errors, sudoMinutes },
      status,
    );

  app.get('/sudo', { preHandler: requireViewer }, async (request, reply) => {
    const viewer = viewerOf(request);
    const query = request.query as Record<string, unknown>;
    const next = localRedirectTarget(query.next, homePath);
    const pending = pendingOf(request, query.resume);
    // Confirmed meanwhile (in another tab, say): straight on to finishing the kept form.
    if (pending && options.inSudoMode(actorOf(request))) return reply.redirect(continuePath(pending.sealed), 303);
    return render(reply, await options.secondFactor.isEnrolled(viewer.user.id), next, pending, {}, 200, !pending && query.notKept === '1');
  });

  app.post('/sudo', { preHandler: requireViewer }, async (request, reply) => {
    const viewer = viewerOf(request);
    const enrolled = await options.secondFactor.isEnrolled(viewer.user.id);
    const parsed = parseForm(sudoForm, request.body);
    const raw = (request.body as Record<string, unknown> | undefined) ?? {};
    const next = localRedirectTarget(parsed.ok ? parsed.data.next : raw.next, homePath);
    const pending = pendingOf(request, parsed.ok ? parsed.data.resume : raw.resume);
    if (!parsed.ok) return render(reply, enrolled, next, pending, parsed.errors, 422);

    const outcome = await options.accessConfirmation.confirm(actorOf(request), parsed.data, clientDetails(request));
    if (outcome.ok) {
      await startSession(request, reply, options, viewer.user.id);
      return reply.redirect(pending ? continuePath(pending.sealed) : next, 303);
    }
    switch (outcome.reason) {
      case 'stale':
        return reply.redirect('/login', 303);
      case 'tooManyAttempts': {
        const errors = { [formLevel]: { key: 'errors.login.tooManyAttempts', values: { count: Math.ceil(outcome.retryAfterSeconds / 60) } } };
        return render(reply.header('retry-after', String(outcome.retryAfterSeconds)), enrolled, next, pending, errors, 429);
      }
      case 'wrongPassword':
        return render(reply, enrolled, next, pending, { password: { key: 'errors.sudo.wrongPassword' } }, 401);
      case 'codeRequired':
        return render(reply, enrolled, next, pending, { code: { key: 'errors.twoFactor.codeRequired' } }, 422);
      case 'wrongCode':
        return render(reply, enrolled, next, pending, { code: { key: 'errors.twoFactor.wrongCode' } }, 401);
      case 'wrongRecoveryCode':
        return render(reply, enrolled, next, pending, { recoveryCode: { key: 'errors.twoFactor.wrongRecoveryCode' } }, 401);
    }
  });

  // Shows what will be done and posts the kept fields to the original action, with this session's CSRF token.
  app.get('/sudo/continue', { preHandler: requireViewer }, async (request, reply) => {
    const resume = (request.query as Record<string, unknown>).resume;
    const pending = pendingOf(request, resume);
    if (!pending) return reply.redirectWithFlash(homePath, { kind: 'error', messageKey: 'flash.sudoContinueGone' });
    if (await options.sudoContinuations.isSpent(pending.action)) {
      return reply.redirectWithFlash(pending.action.returnTo, { kind: 'info', messageKey: 'flash.sudoContinueDone' });
    }
    if (!options.inSudoMode(actorOf(request))) return reply.redirect(sudoPath(pending.action.returnTo, pending.sealed), 303);
    return reply.page('auth/sudo-continue', {
      resume: pending.sealed,
      action: pending.action.action,
      fields: Object.entries(pending.action.fields),
      description: describePendingAction(pending.action),
      returnTo: pending.action.returnTo,
    });
  });
}
