import type { FastifyReply } from 'fastify';

/**
 * The errors of the JSON API, as `application/problem+json` (RFC 9457). Each kind has a stable
 * `type` that clients may test for; `title` says it in words, `detail` this occurrence.
 */
export const problemTypes = {
  missingKey: { status: 401, title: 'No API key was sent' },
  malformedKey: { status: 401, title: 'The API key is malformed' },
  invalidKey: { status: 401, title: 'The API key is unknown, expired or revoked' },
  missingScope: { status: 403, title: 'The API key lacks a scope this needs' },
  scopeBeyondKey: { status: 403, title: 'A key cannot give more than it has' },
  expiryBeyondKey: { status: 403, title: 'A key cannot make a key that outlives it' },
  secondFactorRequired: { status: 403, title: 'This account has a second factor; make this key from the API keys page' },
  roleRequired: { status: 403, title: 'This needs a role in the organization that the caller does not have' },
  notFound: { status: 404, title: 'Not found' },
  invalidRequest: { status: 400, title: 'The request is not valid' },
  invalidJson: { status: 400, title: 'The body is not valid JSON' },
  unsupportedMediaType: { status: 415, title: 'Send the body as application/json' },
  bodyTooLarge: { status: 413, title: 'The body is too large' },
  conflict: { status: 409, title: 'The request conflicts with the current state' },
  unprocessable: { status: 422, title: 'The request cannot be carried out' },
  invalidFields: { status: 422, title: 'Some fields of the request cannot be accepted' },
  eventIdReused: { status: 422, title: 'This event id or idempotency key came before with a different request' },
  lastOwner: { status: 409, title: 'An organization keeps at least one owner' },
  tooManyRequests: { status: 429, title: 'Too many requests with this key' },
  tooManyRefusals: { status: 429, title: 'Too many refused requests from this address' },
  serverError: { status: 500, title: 'Something went wrong on our side' },
} as const;
export type ProblemKind = keyof typeof problemTypes;

/** `missingKey` → `urn:dials:problem:missing-key`: absolute, stable, and the same on every instance. */
export function problemType(kind: ProblemKind): string {
  return `urn:dials:problem:${kind.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

export function problemBody(kind: ProblemKind, detail?: string, extensions: Record<string, unknown> = {}): ProblemBody {
  const { status, title } = problemTypes[kind];
  return { type: problemType(kind), title, status, ...(detail ? { detail } : {}), ...extensions };
}

export function sendProblem(reply: FastifyReply, kind: ProblemKind, detail?: string, extensions: Record<string, unknown> = {}): FastifyReply {
  const body = problemBody(kind, detail, extensions);
  return reply.code(body.status).header('content-type', 'application/problem+json; charset=utf-8').send(JSON.stringify(body));
}
