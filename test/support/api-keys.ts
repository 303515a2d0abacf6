import type { ApiKeyActor } from '../../src/lib/actor.ts';
import type { TestApp } from './test-app.ts';
import { serviceTestClient } from './service-caller.ts';
import { totpCode } from './totp.ts';
import { sessionActor } from '../../src/lib/actor.ts';
import type { Scope } from '../../src/settings/api-keys/scopes.ts';

/** Turns on the authenticator app for a user through the services, as the security page does. */
export async function enrolTotpDirectly(t: TestApp, userId: number): Promise<void> {
  const { totp, emailAddresses, security, sessions } = t.app.services;
  await emailAddresses.markVerified(userId, (await emailAddresses.primaryOf(userId))!.id);
  const { session } = await sessions.create(userId, serviceTestClient);
  const actor = sessionActor(userId, session);
  await security.startTotp(actor);
  const { secret } = (await totp.pendingEnrolment(userId, (await emailAddresses.primaryOf(userId))!.address))!;
  const confirmed = await security.confirmTotp(actor, await totpCode(secret, t.clock.now), serviceTestClient);
  if (!confirmed.ok) throw new Error('the authenticator app was not turned on');
}

/** A key made from a session of the user, and the actor it authenticates as. */
export async function makeKey(
  t: TestApp,
  userId: number,
  scopes: Scope[],
  options: { name?: string; expiresAt?: Date | null } = {},
): Promise<{ secret: string; id: string; actor: ApiKeyActor }> {
  const { session } = await t.app.services.sessions.create(userId, serviceTestClient);
  const made = await t.app.services.apiKeys.create(
    sessionActor(userId, session),
    { name: options.name ?? 'test key', scopes, expiresAt: options.expiresAt ?? null },
    serviceTestClient,
  );
  if (!made.ok) throw new Error(`no key: ${made.reason}`);
  return { secret: made.secret, id: made.key.id, actor: { via: 'apiKey', userId, keyId: made.key.id, scopes: made.key.scopes } };
}
