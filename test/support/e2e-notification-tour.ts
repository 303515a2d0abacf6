import type { Page } from 'playwright-core';
import { systemActor } from '../../src/lib/actor.ts';
import { clickAndWaitForPage, eventually } from './e2e-browser.ts';
import { en } from './e2e-dials.ts';
import { appAt } from './e2e-server.ts';

/**
 * The notifications pages' stops of the page tour (e2e-page-tour.ts), for a person whose address is
 * confirmed: the overview and a page per setting, first in no organization, then in one with
 * projects (its places offered, some with their own setting, an error), the pages that ask first,
 * and "who gets what" (one's own, and the owner's).
 */
export async function tourNotificationPages(page: Page, person: { email: string }, stop: (name: string, path?: string) => Promise<void>): Promise<void> {
  const origin = new URL(page.url()).origin;
  const app = appAt(origin);
  if (!app) throw new Error(`No Dials at ${origin}: was it started with startDials()?`);

  await page.goto('/settings/notifications');
  await stop('notifications', '/settings/notifications');
  await page.goto('/settings/notifications/issue-alerts');
  await stop('notifications per project, in no organization yet', '/settings/notifications/issue-alerts');

  // An organization with projects: made through the platform's service, as no page makes one yet.
  const userId = await app.services.users.idByEmail(person.email);
  if (userId === undefined) throw new Error(`No account for ${person.email}`);
  const actor = systemActor(userId, 'page tour');
  const { organizations } = app.services.platform;
  const slug = `tour-${userId}`;
  const made = await organizations.create(actor, { name: 'An organization with a rather long name that goes on', slug });
  if (!made.ok) throw new Error(made.reason);
  const projectIds: number[] = [];
  for (const [index, name] of ['Web', 'A project with a rather long name that goes on and on', 'API'].entries()) {
    const project = await organizations.createProject(actor, slug, { name, slug: `project-${index}` });
    if (!project.ok) throw new Error(project.reason);
    projectIds.push(project.project.id);
  }
  await page.goto('/settings/notifications/weekly-reports');
  await stop('notifications per organization and project, none set yet', '/settings/notifications/weekly-reports');

  const settings = app.services.notificationSettings;
  await settings.set(actor, { type: 'weeklyReports', scope: 'organization', scopeId: made.organization.id }, 'off');
  for (const projectId of projectIds.slice(0, 2)) await settings.set(actor, { type: 'weeklyReports', scope: 'project', scopeId: projectId }, 'on');
  await page.goto('/settings/notifications/weekly-reports');
  await stop('notifications with places of their own', '/settings/notifications/weekly-reports');
  // Added without a place chosen: the error next to the field (swapped in place, or a page without JavaScript).
  const places = page.locator('section#notify-places');
  await places.getByRole('button', { name: en('notifications.places.add'), exact: true }).click();
  await eventually(() => page.locator('#notify-add-place-error').count(), (count) => count === 1, 'the error next to the place');
  await stop('notifications, a place not chosen');

  await page.goto('/settings/notifications/weekly-reports');
  await clickAndWaitForPage(page, page.getByRole('button', { name: en('notifications.everywhere.turnOff'), exact: true }));
  await stop('turn off everywhere?', '/settings/notifications/weekly-reports/turn-off');
  await page.goto('/settings/notifications/email-routing');
  await stop('e-mail routing per project', '/settings/notifications/email-routing');
  await page.goto('/settings/notifications');
  await stop('notifications, with places counted', '/settings/notifications');
  await clickAndWaitForPage(page, page.getByRole('button', { name: en('notifications.resetAll.button'), exact: true }));
  await stop('reset every notification setting?', '/settings/notifications/reset');

  // Who gets what: one's own answer, and the owner's page (no pipeline yet, then a question refused next to its field).
  await page.goto(`/settings/notifications/who-gets-what?org=${slug}&kind=deploy&project=${projectIds[1]}`);
  await stop('who gets what, one\u2019s own answer', '/settings/notifications/who-gets-what');
  await page.goto(`/orgs/${slug}/who-gets-what?kind=build`);
  await stop('who gets what in an organization with no pipeline', `/orgs/${slug}/who-gets-what`);
  await page.goto(`/orgs/${slug}/who-gets-what?kind=workflow&project=${projectIds[1]}&actor=other`);
  await stop('who gets what in an organization, an answer', `/orgs/${slug}/who-gets-what`);
  await page.goto(`/orgs/${slug}/who-gets-what?kind=deploy&project=${projectIds[0]}&typed=not-an-address`);
  await stop('who gets what, a question refused', `/orgs/${slug}/who-gets-what`);
}
