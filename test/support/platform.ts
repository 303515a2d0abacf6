import { createHash } from 'node:crypto';
import { systemActor, type Actor } from '../../src/lib/actor.ts';
import type { Receipt } from '../../src/platform/service.ts';
import type { Scope } from '../../src/settings/api-keys/scopes.ts';
import type { TestApp } from './test-app.ts';

/** People, organizations and reports for the platform's tests, made through its services. */

/** An account made directly (no sign-up pages, no password hashing): enough for the platform's tests. */
export async function makePerson(t: TestApp, email: string, name: string): Promise<{ userId: number; actor: Actor }> {
  const { id } = await t.app.services.users.create({ email, name, passwordHash: 'not a hash', activated: true }, async () => undefined);
  return { userId: id, actor: systemActor(id, 'platform test') };
}

/** An organization owned by `owner`, with a project `web` and its pipeline `main`. */
export async function makeOrganization(t: TestApp, owner: Actor, slug: string) {
  const { organizations } = t.app.services.platform;
  const made = await organizations.create(owner, { name: `Org ${slug}`, slug });
  if (!made.ok) throw new Error(made.reason);
  const project = await organizations.createProject(owner, slug, { name: 'Web', slug: 'web' });
  if (!project.ok) throw new Error(project.reason);
  const pipeline = await organizations.createPipeline(owner, slug, 'web', { name: 'main' });
  if (!pipeline.ok) throw new Error(pipeline.reason);
  return { organization: made.organization, project: project.project, pipeline: pipeline.pipeline };
}

let counter = 0;

/** A receipt with a fresh event id (or the one given) that answers the result as JSON. */
export function receipt<T>(eventId = `event-${++counter}`, digestOf: unknown = eventId, status = 201): Receipt<T> {
  return {
    eventId,
    idempotencyKey: null,
    digest: createHash('sha256').update(JSON.stringify(digestOf)).digest('hex'),
    answer: (result) => ({ status, body: JSON.stringify(result) }),
  };
}

/** A finished build of `pipelineId`, one minute long, ending at `at`. */
export function finishedBuild(pipelineId: number, at: number, overrides: Partial<{ buildId: string; status: 'success' | 'failed' | 'terminated'; trigger: 'push' | 'schedule' | 'manual' | 'api' }> = {}) {
  return {
    pipelineId,
    buildId: overrides.buildId ?? `build-${++counter}`,
    status: overrides.status ?? ('success' as const),
    trigger: overrides.trigger ?? ('push' as const),
    startedAt: new Date(at - 60_000),
    finishedAt: new Date(at),
    commit: { sha: 'a'.repeat(40), message: 'Fix the flux capacitor', authorName: 'Ada Lovelace', authorEmail: 'ada@example.com' },
    startedBy: null,
  };
}

export function errorEvent(project: string, at: number, overrides: Partial<{ title: string; fingerprint: string | null; frames: Array<{ file: string; function: string; line: number | null; inApp: boolean }> }> = {}) {
  return {
    project,
    fingerprint: overrides.fingerprint ?? null,
    title: overrides.title ?? "TypeError: cannot read properties of undefined (reading 'id')",
    level: 'error' as const,
    occurredAt: new Date(at),
    message: 'the user was not loaded',
    frames: overrides.frames ?? [
      { file: 'src/app.ts', function: 'main', line: 10, inApp: true },
      { file: 'node_modules/fastify/lib/route.js', function: 'handle', line: 300, inApp: false },
      { file: 'src/users.ts', function: 'loadUser', line: 42, inApp: true },
    ],
  };
}

/** Rows of a table, straight from the file. */
export async function rowsOf(t: TestApp, table: string): Promise<Array<Record<string, unknown>>> {
  const { sqliteOf } = await import('../../src/db/client.ts');
  return sqliteOf(t.db).prepare(`select * from ${table}`).all() as Array<Record<string, unknown>>;
}

/** Every platform endpoint of the API and the scope it needs, with `{placeholders}` as the OpenAPI document writes them. */
export const platformEndpoints: Array<{ method: string; url: string; scope: Scope }> = [
  { method: 'GET', url: '/api/v1/orgs', scope: 'organizations:read' },
  { method: 'POST', url: '/api/v1/orgs', scope: 'organizations:write' },
  { method: 'GET', url: '/api/v1/orgs/{org}', scope: 'organizations:read' },
  { method: 'GET', url: '/api/v1/orgs/{org}/members', scope: 'organizations:read' },
  { method: 'POST', url: '/api/v1/orgs/{org}/members', scope: 'organizations:write' },
  { method: 'PATCH', url: '/api/v1/orgs/{org}/members/{userId}', scope: 'organizations:write' },
  { method: 'DELETE', url: '/api/v1/orgs/{org}/members/{userId}', scope: 'organizations:write' },
  { method: 'GET', url: '/api/v1/orgs/{org}/invitations', scope: 'organizations:read' },
  { method: 'DELETE', url: '/api/v1/orgs/{org}/invitations/{id}', scope: 'organizations:write' },
  { method: 'GET', url: '/api/v1/invitations', scope: 'organizations:read' },
  { method: 'POST', url: '/api/v1/invitations/{id}/accept', scope: 'organizations:write' },
  { method: 'POST', url: '/api/v1/invitations/{id}/decline', scope: 'organizations:write' },
  { method: 'GET', url: '/api/v1/orgs/{org}/projects', scope: 'projects:read' },
  { method: 'POST', url: '/api/v1/orgs/{org}/projects', scope: 'projects:write' },
  { method: 'GET', url: '/api/v1/orgs/{org}/projects/{project}/pipelines', scope: 'pipelines:read' },
  { method: 'POST', url: '/api/v1/orgs/{org}/projects/{project}/pipelines', scope: 'pipelines:write' },
  { method: 'PATCH', url: '/api/v1/orgs/{org}/projects/{project}/pipelines/{pipelineId}', scope: 'pipelines:write' },
  { method: 'GET', url: '/api/v1/orgs/{org}/builds', scope: 'builds:read' },
  { method: 'POST', url: '/api/v1/orgs/{org}/builds', scope: 'builds:write' },
  { method: 'GET', url: '/api/v1/orgs/{org}/deploys', scope: 'deploys:read' },
  { method: 'POST', url: '/api/v1/orgs/{org}/deploys', scope: 'deploys:write' },
  { method: 'GET', url: '/api/v1/orgs/{org}/issues', scope: 'issues:read' },
  { method: 'POST', url: '/api/v1/orgs/{org}/events', scope: 'issues:write' },
  { method: 'GET', url: '/api/v1/orgs/{org}/issues/{id}', scope: 'issues:read' },
  { method: 'POST', url: '/api/v1/orgs/{org}/issues/{id}/activity', scope: 'issues:write' },
];

/** Marks the person's log-in address confirmed, as following the link in its mail does; answers the address. */
export async function confirmPrimaryAddress(t: TestApp, userId: number): Promise<string> {
  const { emailAddresses } = t.app.services;
  const primary = await emailAddresses.primaryOf(userId);
  if (!primary) throw new Error('the person has no address');
  if (!primary.verifiedAt) await emailAddresses.markVerified(userId, primary.id);
  return primary.address;
}

/**
 * Brings someone into an organization the only way there is: `owner` invites their address, they
 * confirm it (if they had not) and accept. Answers the role they have.
 */
export async function joinThroughInvitation(t: TestApp, owner: Actor, slug: string, person: { userId: number; actor: Actor }, role: 'owner' | 'member' = 'member') {
  const address = await confirmPrimaryAddress(t, person.userId);
  const { platform } = t.app.services;
  const invited = await platform.invitations.invite(owner, slug, { email: address, role });
  if (!invited.ok) throw new Error(invited.reason);
  const accepted = await platform.invitations.accept(person.actor, invited.invitation.id);
  if (!accepted.ok) throw new Error(accepted.reason);
  return accepted.organization.role;
}
