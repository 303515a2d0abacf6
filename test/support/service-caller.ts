import { sessionActor, type SessionActor } from '../../src/lib/actor.ts';
import { setUpAdministrator } from './browser-session.ts';
import { createTestApp, type TestApp } from './test-app.ts';

/** The client details a service is called with in tests that call services directly. */
export const serviceTestClient = { ipAddress: '198.51.100.7', userAgent: 'service test' };

/** A fresh Dials with Ada as its administrator (her address not confirmed yet), for tests that call its services directly rather than through pages. */
export async function appWithAda(): Promise<{ t: TestApp; userId: number }> {
  const t = await createTestApp();
  await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  const userId = (await t.app.services.users.findForLogin('ada@example.com'))?.id;
  if (userId === undefined) throw new Error('Ada did not sign up');
  return { t, userId };
}

/**
 * As appWithAda, with Ada logged in twice: the actor of her session "here", and another session
 * "elsewhere" (what ending other sessions must end, and keep).
 */
export async function appWithAdaLoggedIn(): Promise<{ t: TestApp; userId: number; actor: SessionActor; here: string; elsewhere: string }> {
  const { t, userId } = await appWithAda();
  const here = await t.app.services.sessions.create(userId, serviceTestClient);
  const elsewhere = await t.app.services.sessions.create(userId, serviceTestClient);
  return { t, userId, actor: sessionActor(userId, here.session), here: here.session.id, elsewhere: elsewhere.session.id };
}
