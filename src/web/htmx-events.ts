import type { FastifyReply } from 'fastify';

const beyondAscii = /[\u007f-\uffff]/;
const beyondAsciiEach = /[\u007f-\uffff]/g;

/**
 * Asks htmx to fire events on the page after a swap (HX-Trigger). Header values must be
 * ASCII, so characters beyond it travel as JSON \u escapes, which htmx decodes.
 */
export function triggerClientEvents(reply: FastifyReply, events: Record<string, unknown>): void {
  const json = JSON.stringify(events);
  reply.header('hx-trigger', beyondAscii.test(json) ? json.replace(beyondAsciiEach, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`) : json);
}
