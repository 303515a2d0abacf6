import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../lib/actor.ts';
import { notFoundPage } from './errors.ts';
import { loginPathFor } from './login-path.ts';
import { answerSignedOutBlock } from './signed-out.ts';
import type { Viewer } from './viewer.ts';

/** preHandler for pages that need a signed-in person: everyone else is sent to log in and brought back. */
export function requireViewer(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
  // A callback hook: a signed-in request passes at once, without a Promise made for it.
  if (request.viewer) return done();
  sendToLogIn(request, reply).then(() => done(), done);
}

async function sendToLogIn(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const target = loginPathFor(request);
  if (request.headers['hx-request'] === 'true') {
    // An auto-save stays on its page and says why it did not save; a boosted navigation goes to log in.
    if (request.headers['hx-boosted'] !== 'true') return answerSignedOutBlock(reply, target);
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
