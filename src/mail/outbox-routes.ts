import type { FastifyInstance } from 'fastify';
import { requireAdmin, requireViewer } from '../web/guards.ts';
import { outboxFilters, type Outbox } from './outbox.ts';
import { parseOutboxQuery } from './outbox-query.ts';

/** Mail whose link would let its reader into someone's account: the administrator sees that it exists, not the link. */
const kindsWithAccountKeys = new Set(['reset-password']);

const perPage = 20;

/** The administrator's view of outgoing mail (to everyone else the page does not exist): what waits, what went, what failed, a page at a time. */
export async function registerOutboxRoutes(app: FastifyInstance, options: { outbox: Outbox; deliveryConfigured: boolean }): Promise<void> {
  app.get('/admin/outbox', { preHandler: [requireViewer, requireAdmin] }, async (request, reply) => {
    const ownAddress = request.viewer?.user.email;
    const query = parseOutboxQuery(request.query);
    const shown = await options.outbox.page({ ...query.value, perPage });
    const entries = shown.entries.map((entry) =>
      kindsWithAccountKeys.has(entry.kind) && entry.recipient !== ownAddress ? { ...entry, text: null, withheld: entry.text !== null } : { ...entry, withheld: false },
    );
    return reply.page(
      'admin/outbox',
      { entries, filter: query.value.filter, page: shown.page, pages: shown.pages, counts: shown.counts, filters: outboxFilters, badQuery: !query.ok, deliveryConfigured: options.deliveryConfigured },
      query.ok ? 200 : 400,
    );
  });
}
