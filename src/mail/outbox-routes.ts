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
export async function registerOutboxRoutes(app: FastifyInstance, options: { outbox: Outbox; deliveryConfigured: boolean }): Promise<void> {
  app.get('/admin/outbox', { preHandler: [requireViewer, requireAdmin] }, async (_request, reply) =>
    reply.page('admin/outbox', { entries: options.outbox.list(100), deliveryConfigured: options.deliveryConfigured }),
  );
}
