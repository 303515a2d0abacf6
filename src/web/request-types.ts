import type { TFunction } from 'i18next';
import type { Language } from '../lib/languages.ts';
import type { Viewer } from './viewer.ts';

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer | null;
    language: Language;
    t: TFunction;
  }
}
