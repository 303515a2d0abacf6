import type { FastifyReply, FastifyRequest } from 'fastify';

const tokenPattern = /^[a-z2-7]{32}$/;

/** The token in a mailed link's path (`/:token`), or '' when it cannot be one of ours. */
export function linkTokenOf(request: FastifyRequest): string {
  const token = (request.params as { token?: string }).token ?? '';
  return tokenPattern.test(token) ? token : '';
}

/** The answer to a mailed link that is used, expired or never was: 410 with a page that says so. */
export function linkGonePage(reply: FastifyReply): FastifyReply {
  return reply.page('auth/link-gone', { titleKey: 'links.gone.title', messageKey: 'links.gone.message' }, 410);
}
