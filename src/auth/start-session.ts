import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CookieNames } from '../web/cookies.ts';
import { clientDetails, setSessionCookie } from '../web/session.ts';
import type { SessionStore } from './sessions.ts';

/** A new session id every time someone proves who they are: whatever session the browser had is ended. */
export async function startSession(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { sessions: SessionStore; cookies: CookieNames; secure: boolean },
  userId: number,
): Promise<void> {
  if (request.viewer) await options.sessions.invalidate(request.viewer.session.id, 'replaced');
  const { token, session } = await options.sessions.create(userId, clientDetails(request));
  setSessionCookie(reply, options, token, session.expiresAt);
}
