import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireViewer } from '../web/guards.ts';
import type { Outbox } from './outbox.ts';

/** Only the instance administrator reads the outbox; to everyone else the page does not exist. */
async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (!request.viewer?.user.isAdmin) {
    await reply.page('errors/error', { titleKey: 'errors.notFound.title', messageKey: 'errors.notFound.message' }, 404);
  }
}

/** The administrator's view of outgoing mail: what waits, what went, what failed. */
/** Mail whose link would let its reader into someone's account: the administrator sees that it exists, not the link. */
const kindsWithAccountKeys = new Set(['reset-password']);

export async function registerOutboxRoutes(app: FastifyInstance, options: { outbox: Outbox; deliveryConfigured: boolean }): Promise<void> {
  app.get('/admin/outbox', { preHandler: [requireViewer, requireAdmin] }, async (request, reply) => {
    const ownAddress = request.viewer?.user.email;
    const entries = options.outbox.list(100).map((entry) =>
      kindsWithAccountKeys.has(entry.kind) && entry.recipient !== ownAddress ? { ...entry, text: null, withheld: entry.text !== null } : { ...entry, withheld: false },
    );
    return reply.page('admin/outbox', { entries, deliveryConfigured: options.deliveryConfigured });
  });
}
