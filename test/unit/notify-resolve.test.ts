import { describe, expect, it } from 'vitest';
import { allowsScope, isFixed, notificationTypeNames, notificationTypes, type NotificationScope, type NotificationType } from '../../src/notify/registry.ts';
import { resolveAddress, resolveSetting, type SettingRow } from '../../src/notify/resolve.ts';

const place = { organizationId: 10, projectId: 100 };
const otherPlace = { organizationId: 20, projectId: 200 };
const row = (type: string, scope: NotificationScope, value: string): SettingRow => ({
  type,
  scope,
  scopeId: scope === 'user' ? null : scope === 'organization' ? place.organizationId : place.projectId,
  value,
});

describe('the notification registry', () => {
  it('has the defaults the reference products have', () => {
    expect(Object.fromEntries(notificationTypeNames.map((type) => [type, notificationTypes[type].default]))).toEqual({
      issueAlerts: 'always',
      workflow: 'subscribed',
      deploys: 'myCommits',
      weeklyReports: 'on',
      buildEmails: 'off',
      myActivity: 'off',
      selfAssignOnResolve: 'off',
      security: 'always',
    });
  });

  it('has security notices as the one type no one can change: one value, no way off', () => {
    expect(notificationTypeNames.filter((type) => isFixed(type))).toEqual(['security']);
    expect(notificationTypes.security).toMatchObject({ values: ['always'], default: 'always', scopes: ['user'], off: null });
  });
});

describe('resolving a setting', () => {
  const cases = notificationTypeNames.flatMap((type) =>
    notificationTypes[type].scopes.flatMap((scope) => notificationTypes[type].values.map((value) => ({ type, scope, value: value as string }))),
  );

  it.each(notificationTypeNames)('%s: no row gives the default', (type) => {
    expect(resolveSetting(type, [], place)).toEqual({ value: notificationTypes[type].default, by: 'default' });
  });

  it.each(cases)('$type set to $value at $scope scope decides there, and not elsewhere', ({ type, scope, value }) => {
    const rows = [row(type, scope, value)];
    expect(resolveSetting(type, rows, place)).toEqual({ value, by: { scope, scopeId: rows[0]!.scopeId } });
    if (scope !== 'user') expect(resolveSetting(type, rows, otherPlace)).toEqual({ value: notificationTypes[type].default, by: 'default' });
  });

  it.each(notificationTypeNames)('%s: the most specific row wins, whichever order the rows come in', (type) => {
    const scopes = notificationTypes[type].scopes;
    const values = notificationTypes[type].values as readonly string[];
    // A different value at each scope, so the winner is seen.
    const rows = scopes.map((scope, index) => row(type, scope, values[index % values.length]!));
    const narrowest = [...scopes].sort((a, b) => ['project', 'organization', 'user'].indexOf(a) - ['project', 'organization', 'user'].indexOf(b))[0]!;
    const expected = rows.find((candidate) => candidate.scope === narrowest)!;
    expect(resolveSetting(type, rows, place).by).toEqual({ scope: narrowest, scopeId: expected.scopeId });
    expect(resolveSetting(type, [...rows].reverse(), place).value).toBe(expected.value);
  });

  it('an organization override applies to the organization\'s projects that have none of their own', () => {
    const rows = [row('deploys', 'user', 'never'), row('deploys', 'organization', 'always')];
    expect(resolveSetting('deploys', rows, { organizationId: 10, projectId: 999 })).toEqual({ value: 'always', by: { scope: 'organization', scopeId: 10 } });
    expect(resolveSetting('deploys', rows, otherPlace)).toEqual({ value: 'never', by: { scope: 'user', scopeId: null } });
  });

  it('passes over rows at a scope the type does not have, with a value it does not take, or of another type', () => {
    const notAllowed = (['user', 'organization', 'project'] as const).find((scope) => !allowsScope('issueAlerts', scope))!;
    const rows = [row('issueAlerts', notAllowed, 'never'), row('issueAlerts', 'project', 'sometimes'), row('workflow', 'project', 'never')];
    expect(resolveSetting('issueAlerts', rows, place)).toEqual({ value: 'always', by: 'default' });
  });

  it('an event outside any project is decided at organization or user scope', () => {
    const rows = [row('weeklyReports', 'project', 'off'), row('weeklyReports', 'organization', 'off')];
    expect(resolveSetting('weeklyReports', rows, { organizationId: 10, projectId: null })).toEqual({ value: 'off', by: { scope: 'organization', scopeId: 10 } });
  });

  it.each(notificationTypeNames.filter((type: NotificationType) => notificationTypes[type].off !== null))('%s can be turned off', (type) => {
    const off = notificationTypes[type].off!;
    expect((notificationTypes[type].values as readonly string[]).includes(off)).toBe(true);
  });
});

describe('routing mail to an address', () => {
  const addresses = { primary: 'ada@example.com', verified: ['ada@example.com', 'ada@work.example'] };
  const routing = (scope: 'user' | 'project', value: string) => row('emailRouting', scope, value);

  it('defaults to the primary address', () => {
    expect(resolveAddress([], place, addresses)).toEqual({ value: 'ada@example.com', by: 'default' });
  });

  it("uses the project's address, else the person's own choice", () => {
    const rows = [routing('user', 'ada@work.example'), routing('project', 'ada@example.com')];
    expect(resolveAddress(rows, place, addresses)).toEqual({ value: 'ada@example.com', by: { scope: 'project', scopeId: 100 } });
    expect(resolveAddress(rows, otherPlace, addresses)).toEqual({ value: 'ada@work.example', by: { scope: 'user', scopeId: null } });
  });

  it('never uses an address that is removed or not confirmed, and falls back to the primary', () => {
    expect(resolveAddress([routing('project', 'gone@example.com')], place, addresses)).toEqual({ value: 'ada@example.com', by: 'default' });
    expect(resolveAddress([], place, { primary: 'new@example.com', verified: [] })).toBeNull();
  });
});
