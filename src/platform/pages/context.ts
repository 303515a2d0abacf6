import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { PlatformPageQueries } from '../pages-queries.ts';
import type { PlatformService } from '../service.ts';

/** The order a person chose for stack traces (the account page's preference). */
export type StackTraceOrder = 'default' | 'caller-last' | 'caller-first';

export interface PlatformPageOptions {
  platform: PlatformService;
  queries: PlatformPageQueries;
  /** The viewer's stack-trace order, when the session layer has not loaded it with the preferences. */
  stackTraceOrderOf: (userId: number) => Promise<StackTraceOrder>;
}

export const organizationsPath = '/orgs';
export const organizationPath = (slug: string) => `${organizationsPath}/${slug}`;

/** The URL's parameters when they are well-formed; null otherwise (the route answers 404: there is nothing there). */
export function paramsOf<T>(schema: z.ZodType<T>, request: FastifyRequest): T | null {
  const parsed = schema.safeParse(request.params);
  return parsed.success ? parsed.data : null;
}

/** A member asked for what only an owner may do; someone outside the organization is told nothing (404) instead. */
export function ownerOnlyPage(reply: FastifyReply): FastifyReply {
  return reply.page('errors/error', { titleKey: 'errors.orgs.ownerOnlyTitle', messageKey: 'errors.orgs.ownerOnly' }, 403);
}
