import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFoundPage } from '../web/errors.ts';
import type { NotificationSettings } from './settings.ts';
import type { UnsubscribeTarget, UnsubscribeTokens } from './unsubscribe-token.ts';

/**
 * One-click unsubscribe (RFC 8058): the link in a notification's footer and its List-Unsubscribe
 * header. Opened in a browser it asks first (a link checker must not turn anything off); a POST
 * turns that one type off for that one place, for a mail program's one click as for the button.
 * No log-in: the signed link is the permission, and all it can do is turn a notification off.
 */
export async function registerUnsubscribeRoutes(
  app: FastifyInstance,
  deps: { tokens: UnsubscribeTokens; settings: NotificationSettings; placeName: (scope: 'organization' | 'project', id: number) => Promise<string | null> },
): Promise<void> {
  const answer = async (request: FastifyRequest, reply: FastifyReply, token: string, target: UnsubscribeTarget, done: boolean) => {
    const place = (await deps.placeName(target.scope, target.scopeId)) ?? request.t('unsubscribe.placeGone');
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').page('notify/unsubscribe', { token, done, place, what: request.t(`unsubscribe.types.${target.type}`) });
  };

  await app.register(async (scope) => {
    // RFC 8058 asks mail programs to post multipart/form-data (urlencoded is read everywhere
    // already): read here only, small. The post itself is the request; its field only tells a
    // mail program's click from the page's button, for the form of the answer.
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
      const text = String(body);
      done(null, text.includes('List-Unsubscribe') && text.includes('One-Click') ? { 'List-Unsubscribe': 'One-Click' } : {});
    });

    scope.get('/unsubscribe/:token', async (request, reply) => {
      const { token } = request.params as { token: string };
      const target = deps.tokens.verify(token);
      return target ? answer(request, reply, token, target, false) : notFoundPage(reply);
    });

    // The token is the permission, and a mail program posts without any page of Dials: no CSRF token.
    scope.post('/unsubscribe/:token', { config: { csrf: false } }, async (request, reply) => {
      const { token } = request.params as { token: string };
      const target = deps.tokens.verify(token);
      if (!target) return notFoundPage(reply);
      await deps.settings.turnOffAt(target.userId, target.type, target.scope, target.scopeId);
      const oneClick = (request.body as Record<string, unknown> | undefined)?.['List-Unsubscribe'] === 'One-Click';
      if (oneClick) return reply.code(200).header('content-type', 'text/plain; charset=utf-8').send('Unsubscribed.');
      return answer(request, reply, token, target, true);
    });
  });
}
