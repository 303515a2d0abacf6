import type { FastifyReply, FastifyRequest } from 'fastify';
import { isReauthenticated, type Actor } from '../lib/actor.ts';
import { localRedirectTarget } from '../lib/local-redirect.ts';
import { homePath } from '../web/navigation.ts';
import { resumeField, type SudoContinuations } from './sudo-continuation.ts';

export interface SudoPolicy {
  windowMs: number;
  now: () => number;
}

/** Where "Confirm access" is, for a page to return to and, when a form was posted, the sealed form to finish. */
export function sudoPath(next: string, resume: string | null = null, notKept = false): string {
  const query = new URLSearchParams({ next });
  if (resume) query.set('resume', resume);
  else if (notKept) query.set('notKept', '1');
  return `/sudo?${query.toString()}`;
}

/** Within the sudo window of the actor's own session; keys, jobs and support staff never are. */
export function isInSudoMode(actor: Actor, policy: SudoPolicy): boolean {
  return isReauthenticated(actor, policy);
}

/** The page the person was on, to return to once they have confirmed access. */
function pageToReturnTo(request: FastifyRequest): string {
  if (request.method === 'GET') return localRedirectTarget(request.url, homePath);
  for (const header of [request.headers['hx-current-url'], request.headers.referer]) {
    if (typeof header !== 'string') continue;
    try {
      const url = new URL(header);
      if (url.hostname === request.hostname) return localRedirectTarget(url.pathname + url.search, homePath);
    } catch {
      // Not a URL: ignore it.
    }
  }
  return homePath;
}

/**
 * preHandler for sensitive actions (SECURITY.md rule 12): allowed only within the sudo window;
 * otherwise the person is asked to confirm access, and the action is not carried out. A posted
 * form without secrets is kept (sealed, in the confirm-access URL), so that once access is
 * confirmed it can be finished with one press instead of being typed again.
 */
export function createSudoGuard(policy: SudoPolicy & { continuations: SudoContinuations }) {
  return async function requireSudo(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const actor = request.actor;
    if (!actor) return;
    const body = request.body;
    const resumed = body && typeof body === 'object' && resumeField in body ? (body as Record<string, unknown>)[resumeField] : undefined;
    const kept = resumed === undefined ? null : policy.continuations.open(resumed, actor.userId);
    if (isInSudoMode(actor, policy)) {
      if (resumed === undefined) return;
      // The Continue page's post: a kept form is carried out once. A second press (after Back,
      // say) goes to the Continue page, which says it was done; a stranger's or a stale one changes nothing.
      const path = request.url.split('?')[0];
      if (!kept || kept.action !== path || !(await policy.continuations.spend(kept))) {
        return void (await reply.redirect(`/sudo/continue?${new URLSearchParams({ resume: String(resumed).slice(0, 8000) }).toString()}`, 303));
      }
      delete (body as { _resume?: unknown })._resume;
      return;
    }
    const returnTo = pageToReturnTo(request);
    const sealed = kept && typeof resumed === 'string' ? resumed : policy.continuations.capture(request, actor.userId, returnTo);
    // A posted form that held a code or password is not kept: the page says it must be typed again.
    const target = sudoPath(returnTo, sealed, request.method === 'POST' && sealed === null);
    if (request.headers['hx-request'] === 'true') {
      await reply.header('hx-redirect', target).code(403).send();
      return;
    }
    await reply.redirect(target, 303);
  };
}
