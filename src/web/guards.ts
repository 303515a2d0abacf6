import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../lib/actor.ts';
import { localRedirectTarget } from '../lib/local-redirect.ts';
import { notFoundPage } from './errors.ts';
import type { Viewer } from './viewer.ts';

/** The page the person was on: the URL asked for, or for htmx requests the page they came from. */
function pageOf(request: FastifyRequest): string {
  if (request.method === 'GET') return request.url;
  const current = request.headers['hx-current-url'];
  if (typeof current !== 'string' || !URL.canParse(current)) return '/';
  const url = new URL(current);
  return url.pathname + url.search;
}

/** preHandler for pages that need a signed-in person: everyone else is sent to log in and brought back. */
export async function requireViewer(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.viewer) return;
  const target = `/login?next=${encodeURIComponent(localRedirectTarget(pageOf(request), '/'))}`;
  if (request.headers['hx-request'] === 'true') {
    await reply.header('hx-redirect', target).code(401).send();
    return;
  }
  await reply.redirect(target, 303);
}

/** preHandler, after requireViewer, for the administrator's pages: to everyone else such a page does not exist. */
export async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!request.viewer?.user.isAdmin) await notFoundPage(reply);
}

/** For handlers behind requireViewer. */
export function viewerOf(request: FastifyRequest): Viewer {
  if (!request.viewer) throw new Error('viewerOf called on a route without requireViewer');
  return request.viewer;
}

/** Who a handler behind requireViewer acts for. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('actorOf called on a route without requireViewer');
  return request.actor;
}
