import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { SecretBox } from '../lib/instance-keys.ts';
import { localRedirectTarget } from '../lib/local-redirect.ts';
import { homePath } from '../web/navigation.ts';

/**
 * A sensitive form that was posted after access had lapsed, kept so that it can be finished once
 * the person has confirmed access: where it was posted, and what was typed, minus any secret.
 */
export interface PendingAction {
  /** Random: a kept form is carried out once, and this names it in the store of spent ones. */
  id: string;
  userId: number;
  /** The local path the form was posted to. */
  action: string;
  /** The route's pattern (e.g. "/settings/emails/:id/remove"), which says what the action is. */
  route: string;
  fields: Record<string, string>;
  /** The page the form was on, for "Cancel". */
  returnTo: string;
  expiresAt: number;
}

/** Remembers which kept forms were carried out, for as long as a kept form lives. */
export interface SpentContinuations {
  /** Marks it spent; false when it already was (the form was carried out before). */
  spend(id: string): Promise<boolean>;
  isSpent(id: string): Promise<boolean>;
}

/** The hidden field of the Continue page that names the kept form being carried out. */
export const resumeField = '_resume';

/** Fields never carried across: passwords, codes, tokens. They are typed again, or the form is not resumed. */
const secretField = /pass|code|secret|token|csrf|otp/i;
const maxFields = 20;
const maxFieldLength = 2000;
export const continuationLifetimeMs = 15 * 60_000;

export type SudoContinuations = ReturnType<typeof createSudoContinuations>;

/**
 * Pending actions travel sealed (AES-256-GCM under a key of their own) in the confirm-access URL:
 * nobody can read, forge or alter one, and one opens only for the person it was made for, for
 * fifteen minutes. Finishing still takes a fresh CSRF token and a press of a button.
 */
export function createSudoContinuations(deps: { box: SecretBox; now: () => number; spent: SpentContinuations }) {
  return {
    /** The sealed pending action of a POST, or null when it cannot be resumed (it held a secret, or too much). */
    capture(request: FastifyRequest, userId: number, returnTo: string): string | null {
      if (request.method !== 'POST') return null;
      const action = localRedirectTarget(request.url.split('#')[0], '');
      if (!action || action !== request.url) return null;
      const body = request.body ?? {};
      if (typeof body !== 'object' || Array.isArray(body)) return null;
      const fields: Record<string, string> = {};
      const entries = Object.entries(body as Record<string, unknown>);
      if (entries.length > maxFields) return null;
      for (const [name, value] of entries) {
        if (name === resumeField) continue;
        if (secretField.test(name)) {
          if (name === '_csrf') continue;
          return null;
        }
        if (typeof value !== 'string' || value.length > maxFieldLength) return null;
        fields[name] = value;
      }
      const pending: PendingAction = { id: crypto.randomBytes(16).toString('base64url'), userId, action, route: request.routeOptions.url ?? action, fields, returnTo, expiresAt: deps.now() + continuationLifetimeMs };
      return deps.box.seal(JSON.stringify(pending));
    },

    /** The pending action, if `sealed` is one of ours, unexpired, and made for this person. */
    open(sealed: unknown, userId: number): PendingAction | null {
      if (typeof sealed !== 'string' || sealed.length === 0 || sealed.length > 8000) return null;
      let pending: PendingAction;
      try {
        pending = JSON.parse(deps.box.open(sealed)) as PendingAction;
      } catch {
        return null;
      }
      if (pending.userId !== userId || !(pending.expiresAt > deps.now())) return null;
      if (typeof pending.id !== 'string' || localRedirectTarget(pending.action, '') !== pending.action) return null;
      return { ...pending, returnTo: localRedirectTarget(pending.returnTo, homePath) };
    },

    /** Whether this kept form was carried out already (a Back press to the Continue page, say). */
    isSpent: (pending: PendingAction) => deps.spent.isSpent(pending.id),
    /** Marks it carried out; false when it already was. */
    spend: (pending: PendingAction) => deps.spent.spend(pending.id),
  };
}
