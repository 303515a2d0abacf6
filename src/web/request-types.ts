import type { TFunction } from 'i18next';
import type { Actor } from '../lib/actor.ts';
import type { Language } from '../lib/languages.ts';
import type { Viewer } from './viewer.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts for, resolved by the session layer's authenticators; null when no one. */
    actor: Actor | null;
    /** What pages show of the person: set for callers that see pages (a browser session). */
    viewer: Viewer | null;
    language: Language;
    t: TFunction;
  }
}
