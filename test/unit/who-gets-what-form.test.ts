import { describe, expect, it } from 'vitest';
import { maxAuthors, maxSubscribers, parseQuestion } from '../../src/settings/notifications/who-gets-what-form.ts';

/** The "who gets what" question as its GET form sends it: exactly its fields, each refused next to itself. */
describe('parseQuestion', () => {
  it('asks nothing until a kind is sent, and shows the defaults', () => {
    const parsed = parseQuestion({});
    expect(parsed.asked).toBe(false);
    expect(parsed.values).toMatchObject({ kind: 'build', status: 'failed', trigger: 'push', authors: [], subscribed: [] });
  });

  it('makes each kind of event, with ids, people and addresses', () => {
    expect(parseQuestion({ kind: 'build', pipeline: '7', status: 'terminated', trigger: 'manual', startedBy: '3' })).toMatchObject({
      errors: null,
      event: { kind: 'build', pipelineId: 7, status: 'terminated', trigger: 'manual', startedBy: { userId: 3 } },
    });
    expect(parseQuestion({ kind: 'build', startedBy: 'other' })).toMatchObject({ event: { pipelineId: null, startedBy: 'someoneElse' } });
    expect(parseQuestion({ kind: 'deploy', project: '2', authors: ['a@example.com', 'b@example.com'], typed: 'c@example.com, d@example.com  e@example.com' })).toMatchObject({
      event: { kind: 'deploy', projectId: 2, commitAuthorEmails: ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'e@example.com'] },
    });
    expect(parseQuestion({ kind: 'issueAlert' })).toMatchObject({ event: { kind: 'issueAlert', projectId: null } });
    expect(parseQuestion({ kind: 'workflow', project: '2', actor: '', subscribed: '4' })).toMatchObject({ event: { kind: 'workflow', projectId: 2, actor: null, subscriberIds: [4] } });
  });

  it('refuses, next to the field, what it cannot take', () => {
    const errorsOf = (query: Record<string, unknown>) => {
      const parsed = parseQuestion(query);
      return parsed.asked && parsed.errors ? Object.fromEntries(Object.entries(parsed.errors).map(([field, error]) => [field, error.key])) : null;
    };
    expect(errorsOf({ kind: 'weather' })).toEqual({ kind: 'errors.whoGetsWhat.unknownValue' });
    expect(errorsOf({ kind: ['build', 'deploy'] })).toEqual({ kind: 'errors.whoGetsWhat.repeated' });
    expect(errorsOf({ kind: 'build', status: 'running' })).toEqual({ status: 'errors.whoGetsWhat.unknownValue' });
    expect(errorsOf({ kind: 'build', trigger: 'webhook' })).toEqual({ trigger: 'errors.whoGetsWhat.unknownValue' });
    expect(errorsOf({ kind: 'build', pipeline: '-1' })).toEqual({ pipeline: 'errors.whoGetsWhat.notInOrganization' });
    expect(errorsOf({ kind: 'build', pipeline: '1e3' })).toEqual({ pipeline: 'errors.whoGetsWhat.notInOrganization' });
    expect(errorsOf({ kind: 'build', startedBy: 'me' })).toEqual({ startedBy: 'errors.whoGetsWhat.notAMember' });
    expect(errorsOf({ kind: 'deploy', typed: 'not-an-address' })).toEqual({ typed: 'errors.whoGetsWhat.badAddress' });
    expect(errorsOf({ kind: 'deploy', authors: Array.from({ length: maxAuthors + 1 }, (_, index) => `p${index}@example.com`) })).toEqual({ authors: 'errors.whoGetsWhat.tooMany' });
    expect(errorsOf({ kind: 'workflow', subscribed: Array.from({ length: maxSubscribers + 1 }, (_, index) => String(index + 1)) })).toEqual({ subscribed: 'errors.whoGetsWhat.tooManyPeople' });
    expect(errorsOf({ kind: 'workflow', subscribed: ['1', 'x'] })).toEqual({ subscribed: 'errors.whoGetsWhat.notAMember' });
  });

  it('leaves the last organization\u2019s projects and people behind when another is chosen', () => {
    const query = { org: 'second', shown: 'first', kind: 'workflow', project: '2', actor: '3', subscribed: ['3', '4'], status: 'success' };
    expect(parseQuestion(query)).toMatchObject({ errors: null, event: { kind: 'workflow', projectId: null, actor: null, subscriberIds: [] } });
    expect(parseQuestion({ ...query, org: 'first' })).toMatchObject({ errors: null, event: { kind: 'workflow', projectId: 2, actor: { userId: 3 }, subscriberIds: [3, 4] } });
  });

  it('drops fields it does not have', () => {
    const parsed = parseQuestion(JSON.parse('{"kind":"issueAlert","role":"admin","__proto__":{"kind":"deploy"}}'));
    expect(parsed).toMatchObject({ errors: null, event: { kind: 'issueAlert', projectId: null } });
  });
});
