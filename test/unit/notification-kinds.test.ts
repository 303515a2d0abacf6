import { describe, expect, it } from 'vitest';
import { notificationTypeNames } from '../../src/notify/registry.ts';
import { kindOfSlug, kindWithPage, parsePlace, placeKey, settingKinds } from '../../src/settings/notifications/kinds.ts';

describe('the notifications pages\' settings', () => {
  it('are every type of the registry, then routing, each under its own address', () => {
    expect(settingKinds.map((kind) => kind.type)).toEqual([...notificationTypeNames, 'emailRouting']);
    expect(settingKinds.map((kind) => kind.slug)).toEqual([
      'issue-alerts',
      'workflow',
      'deploys',
      'weekly-reports',
      'build-emails',
      'my-activity',
      'self-assign-on-resolve',
      'security',
      'email-routing',
    ]);
  });

  it('show security notices, which no one can change, and offer no form or address for them', () => {
    expect(settingKinds.find((kind) => kind.type === 'security')).toMatchObject({ fixed: true, canTurnOff: false, placeScopes: [] });
    expect(settingKinds.filter((kind) => kind.fixed).map((kind) => kind.type)).toEqual(['security']);
    expect(kindOfSlug('security')).toBeNull();
    expect(kindWithPage('security')).toBeNull();
  });

  it('have a page of their own only when they can be set per organization or project', () => {
    expect(settingKinds.filter((kind) => kindWithPage(kind.slug)).map((kind) => kind.slug)).toEqual([
      'issue-alerts',
      'workflow',
      'deploys',
      'weekly-reports',
      'build-emails',
      'email-routing',
    ]);
    expect(kindWithPage('weekly-reports')?.placeScopes).toEqual(['organization', 'project']);
    expect(kindWithPage('deploys')?.placeScopes).toEqual(['organization']);
    expect(kindOfSlug('email-routing')?.canTurnOff).toBe(false);
    expect(kindOfSlug('self-assign-on-resolve')?.canTurnOff).toBe(false);
  });

  it.each(['issueAlerts', '__proto__', 'constructor', 'toString', '', 'ISSUE-ALERTS', 'issue-alerts ', 12, null, ['issue-alerts']])('know no setting called %j', (slug) => {
    expect(kindOfSlug(slug)).toBeNull();
  });

  it('read a place as a form names it, and nothing else', () => {
    expect(parsePlace('project-7')).toEqual({ scope: 'project', id: 7 });
    expect(parsePlace('organization-123456789012')).toEqual({ scope: 'organization', id: 123456789012 });
    expect(placeKey({ scope: 'project', id: 7 })).toBe('project-7');
    for (const value of ['project-0', 'project-07', 'project-1234567890123', 'project--1', 'project-1.5', 'project-1e3', 'user-1', 'project-', ' project-1', 'project-1\n', 7, undefined]) {
      expect(parsePlace(value), String(value)).toBeNull();
    }
  });
});
