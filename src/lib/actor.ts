/**
 * Who a service acts for, and how they came (DESIGN.md rule 9). Every caller has one: a browser
 * session, an API key, a job of Dials itself, or support staff using the person's grant. `web/`
 * resolves it from the request; jobs and the dispatcher make a system actor. What a page shows
 * about the person (`Viewer`) stays in the route layer.
 */
export type Actor = SessionActor | ApiKeyActor | SystemActor | SupportActor;

export interface SessionActor {
  via: 'session';
  /** The user acted for. */
  userId: number;
  sessionId: string;
  /** When the session last confirmed the password (and second factor): the start of its sudo window. */
  reauthenticatedAt: Date | null;
}

export interface ApiKeyActor {
  via: 'apiKey';
  userId: number;
  keyId: string;
  scopes: readonly string[];
}

export interface SystemActor {
  via: 'system';
  userId: number;
  /** What acts: a job or worker, for logs. */
  job: string;
}

export interface SupportActor {
  via: 'support';
  userId: number;
  sessionId: string;
  /** The staff member acting with the user's grant. */
  staffUserId: number;
}

/** Where a request came from, for the security log and notices. */
export interface ClientDetails {
  ipAddress: string;
  userAgent: string;
}

export function sessionActor(userId: number, session: { id: string; reauthenticatedAt: Date | null }): SessionActor {
  return { via: 'session', userId, sessionId: session.id, reauthenticatedAt: session.reauthenticatedAt };
}

export function systemActor(userId: number, job: string): SystemActor {
  return { via: 'system', userId, job };
}

/** The client details of work that no request asked for. */
export const systemClient: ClientDetails = { ipAddress: '', userAgent: 'Dials' };

/** The session the actor came with, if any: the one to keep when "other" sessions end. */
export function sessionIdOf(actor: Actor): string | null {
  return actor.via === 'session' || actor.via === 'support' ? actor.sessionId : null;
}

/**
 * Whether the actor confirmed access (password and second factor) within the window. Only a
 * person's own session can: keys, jobs and support staff never pass re-authentication.
 */
export function isReauthenticated(actor: Actor, policy: { windowMs: number; now: () => number }): boolean {
  if (actor.via !== 'session' || actor.reauthenticatedAt === null) return false;
  return policy.now() - actor.reauthenticatedAt.getTime() < policy.windowMs;
}
