import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from './viewer.ts';

/** preHandler for pages that need a signed-in person: everyone else is sent to log in and brought back. */
export async function requireViewer(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.viewer) return;
  const back = request.method === 'GET' ? request.url : (request.headers['hx-current-url'] ? new URL(String(request.headers['hx-current-url'])).pathname : '/');
  const target = `/login?next=${encodeURIComponent(back)}`;
  if (request.headers['hx-request'] === 'true') {
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
