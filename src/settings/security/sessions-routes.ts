import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TFunction } from 'i18next';
import { z } from 'zod';
import type { SessionEndReason, SessionStore } from '../../auth/sessions.ts';
import { describeDevice } from '../../lib/user-agent.ts';
import { formLevel, pageNumberQuery, parseForm, type FieldErrors } from '../../web/form.ts';
import { actorOf, requireViewer, viewerOf } from '../../web/guards.ts';
import { wantsBlock } from '../../web/render.ts';
import { clientDetails } from '../../web/session.ts';
import type { SecurityService } from './service.ts';

export interface SessionHistoryRouteOptions {
  sessions: SessionStore;
  security: SecurityService;
}

/** One line of the session list, ready to show. */
export interface SessionRow {
  id: string;
  device: string;
  ipAddress: string;
  createdAt: Date;
  lastSeenAt: Date;
  current: boolean;
}

/** One line of the list of ended sessions. */
export interface EndedSessionRow {
  device: string;
  ipAddress: string;
  createdAt: Date;
  lastSeenAt: Date;
  endedAt: Date;
  reason: SessionEndReason;
}

const pagePath = '/settings/security/sessions';
const templates = { page: 'settings/security/sessions-page', block: 'settings/security/sessions-list' };

const endedPerPage = 20;

// A session id is the hex SHA-256 of its token; anything else cannot name a session.
const sessionIdPattern = /^[0-9a-f]{64}$/;

// The log-out button posts nothing but its CSRF token (removed before the handler runs).
const logOutForm = z.object({});

/** "Firefox 128 on Ubuntu", "Firefox 128", "Ubuntu", or "Unknown device", in the person's language. */
export function deviceLabel(t: TFunction, userAgent: string): string {
  const { browser, os } = describeDevice(userAgent);
  if (browser && os) return t('sessions.device.browserOnOs', { browser, os });
  return browser ?? os ?? t('sessions.device.unknown');
}

export async function registerSessionHistoryRoutes(app: FastifyInstance, options: SessionHistoryRouteOptions): Promise<void> {
  const rowsFor = async (request: FastifyRequest): Promise<SessionRow[]> => {
    const viewer = viewerOf(request);
    return (await options.sessions.listForUser(viewer.user.id)).map((session) => ({
      id: session.id,
      device: deviceLabel(request.t, session.userAgent),
      ipAddress: session.ipAddress,
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
      current: session.id === viewer.session.id,
    }));
  };

  /** One page of the ended sessions: after each log-in or confirmed access there is one more, so there can be many. */
  const endedRowsFor = async (request: FastifyRequest): Promise<{ rows: EndedSessionRow[]; page: number; pages: number }> => {
    const all = await options.sessions.endedForUser(viewerOf(request).user.id);
    const pages = Math.max(1, Math.ceil(all.length / endedPerPage));
    const page = Math.min(pageNumberQuery.parse(request.query ?? {}).page, pages);
    const rows = all.slice((page - 1) * endedPerPage, page * endedPerPage).map((session) => ({
      device: deviceLabel(request.t, session.userAgent),
      ipAddress: session.ipAddress,
      createdAt: session.createdAt,
      lastSeenAt: session.lastSeenAt,
      endedAt: session.endedAt,
      reason: session.reason,
    }));
    return { rows, page, pages };
  };

  /** The list alone for htmx, otherwise the whole page; `extra` carries errors, a status line and focus. */
  const render = async (request: FastifyRequest, reply: FastifyReply, status: number, extra: { errors?: FieldErrors; status?: string; focusList?: boolean } = {}) => {
    const data = {
      sessions: await rowsFor(request),
      ended: await endedRowsFor(request),
      pagePath,
      errors: extra.errors ?? {},
      status: extra.status ?? '',
      focusList: extra.focusList ?? false,
    };
    return reply.pageOrBlock(templates, data, status);
  };

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    scoped.get(pagePath, async (request, reply) => render(request, reply, 200));

    // "log-out" is the path the page uses; "sign-out" still answers pages rendered before it was renamed.
    const endSession = async (request: FastifyRequest, reply: FastifyReply) => {
      const { id } = request.params as { id: string };

      const parsed = parseForm(logOutForm, request.body ?? {});
      if (!parsed.ok) return render(request, reply, 422, { errors: parsed.errors });

      // Scoped by owner: another person's session id is answered exactly like one that never existed.
      const outcome = sessionIdPattern.test(id) ? await options.security.endSession(actorOf(request), id, clientDetails(request)) : ({ ok: false, reason: 'notFound' } as const);
      if (!outcome.ok && outcome.reason === 'currentSession') {
        return render(request, reply, 422, { errors: { [formLevel]: { key: 'sessions.errors.currentSession' } } });
      }
      if (!outcome.ok) {
        if (wantsBlock(request)) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send(request.t('sessions.errors.notFound'));
        return render(request, reply, 404, { errors: { [formLevel]: { key: 'sessions.errors.notFound' } } });
      }
      const { ended } = outcome;

      if (wantsBlock(request)) {
        const status = request.t('sessions.loggedOut', { device: deviceLabel(request.t, ended.userAgent), ipAddress: ended.ipAddress });
        return render(request, reply, 200, { status, focusList: true });
      }
      return reply.redirectWithFlash(pagePath, { kind: 'success', messageKey: 'sessions.flash.loggedOut' });
    };
    scoped.post(`${pagePath}/:id/log-out`, endSession);
    scoped.post(`${pagePath}/:id/sign-out`, endSession);
  });
}
