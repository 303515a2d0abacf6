import type { FastifyReply, FastifyRequest } from 'fastify';
import { localRedirectTarget } from '../lib/local-redirect.ts';
import { answerSignedOutBlock } from './signed-out.ts';
import type { Viewer } from './viewer.ts';

/**
 * The page the person was on: the URL asked for, for htmx requests the page they came from, and
 * for a form posted without JavaScript the page it was on (its Referer, when it is from here).
 */
function pageOf(request: FastifyRequest): string {
  if (request.method === 'GET') return request.url;
  const current = request.headers['hx-current-url'] ?? request.headers.referer;
  if (typeof current !== 'string' || !URL.canParse(current)) return '/';
  // Only the path is kept, so it is a page of Dials whatever the header named.
  const url = new URL(current);
  return url.pathname + url.search;
}

/** Where to log in so as to come back to the page the person was on. */
export function loginPathFor(request: FastifyRequest): string {
  return `/login?next=${encodeURIComponent(localRedirectTarget(pageOf(request), '/'))}`;
}

/** preHandler for pages that need a signed-in person: everyone else is sent to log in and brought back. */
export async function requireViewer(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.viewer) return;
  const target = loginPathFor(request);
  if (request.headers['hx-request'] === 'true') {
    // An auto-save stays on its page and says why it did not save; a boosted navigation goes to log in.
    if (request.headers['hx-boosted'] !== 'true') return answerSignedOutBlock(reply, target);
    await reply.header('hx-redirect', target).code(401).send();
    return;
  }
  await reply.redirect(target, 303);
}

/** For handlers behind requireViewer. */
export function viewerOf(request: FastifyRequest): Viewer {
  if (!request.viewer) throw new Error('viewerOf called on a route without requireViewer');
  return request.viewer;
}
