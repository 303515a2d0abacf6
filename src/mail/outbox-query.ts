import { z } from 'zod';
import { outboxFilters, type OutboxFilter } from './outbox.ts';

export interface OutboxQuery {
  filter: OutboxFilter;
  page: number;
}

const schema = z.object({
  state: z.enum(outboxFilters).default('all'),
  page: z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/)
    .transform(Number)
    .default(1),
});

/**
 * The outbox page's query: `state` (all, waiting, sent, failed) and `page` (from 1). Other
 * parameters are ignored; a bad value of these two (or one given twice) is refused, and the
 * page then shows everything from the start, saying so.
 */
export function parseOutboxQuery(query: unknown): { ok: true; value: OutboxQuery } | { ok: false; value: OutboxQuery } {
  const given = query && typeof query === 'object' ? (query as Record<string, unknown>) : {};
  const parsed = schema.safeParse({ state: given.state, page: given.page });
  if (!parsed.success) return { ok: false, value: { filter: 'all', page: 1 } };
  return { ok: true, value: { filter: parsed.data.state, page: parsed.data.page } };
}
