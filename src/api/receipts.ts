import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Receipt, ReportResult, StoredAnswer } from '../platform/service.ts';
import { sendProblem } from '../web/problem.ts';

/**
 * The receipt of a report: its event id, its `Idempotency-Key` header if sent, and a digest of
 * what was asked (path and validated body) to tell a retry from another report reusing the id.
 */
export function receiptFor<T>(request: FastifyRequest, eventId: string, answer: (result: T) => { status: number; body: unknown }): Receipt<T> {
  const header = request.headers['idempotency-key'];
  const digest = createHash('sha256')
    .update(JSON.stringify({ path: request.routeOptions.url, params: request.params, body: request.body }))
    .digest('hex');
  return {
    eventId,
    idempotencyKey: typeof header === 'string' ? header : null,
    digest,
    answer: (result) => {
      const made = answer(result);
      return { status: made.status, body: JSON.stringify(made.body) };
    },
  };
}

function sendStored(reply: FastifyReply, answer: StoredAnswer, repeated: boolean): FastifyReply {
  if (repeated) reply.header('idempotent-replayed', 'true');
  return reply.code(answer.status).header('content-type', 'application/json; charset=utf-8').send(answer.body);
}

/** A report's outcome as HTTP: the stored answer, or its refusal as problem+json. */
export function sendReportResult(reply: FastifyReply, result: ReportResult): FastifyReply {
  if (result.ok) return sendStored(reply, result.answer, result.repeated);
  switch (result.reason) {
    case 'notFound':
      return sendProblem(reply, 'notFound', `No such ${result.what}.`);
    case 'invalid':
      return sendProblem(reply, 'invalidFields', result.errors.map((error) => `${error.field} ${error.message}`).join('; '), {
        errors: result.errors.map((error) => ({ pointer: error.field, message: error.message })),
      });
    case 'eventIdReused':
      return sendProblem(reply, 'eventIdReused', 'Send a new event id (and Idempotency-Key) for a new report; repeat the first request exactly to retry it.');
  }
}
