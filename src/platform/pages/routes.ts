import type { FastifyInstance } from 'fastify';
import type { PlatformPageOptions } from './context.ts';
import { registerFeedRoutes } from './feed-routes.ts';
import { registerInvitationRoutes } from './invitation-routes.ts';
import { registerMemberRoutes } from './member-routes.ts';
import { registerOrganizationRoutes } from './organization-routes.ts';

export type { PlatformPageOptions, StackTraceOrder } from './context.ts';

/** The platform's pages: /orgs, one organization, its members and invitations, builds and issues. */
export async function registerPlatformPages(app: FastifyInstance, options: PlatformPageOptions): Promise<void> {
  await registerOrganizationRoutes(app, options);
  await registerMemberRoutes(app, options);
  await registerInvitationRoutes(app, options);
  await registerFeedRoutes(app, options);
}
