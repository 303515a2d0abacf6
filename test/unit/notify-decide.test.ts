import { describe, expect, it } from 'vitest';
import { decide, type Candidate, type DecidedEvent } from '../../src/notify/decide.ts';
import type { SettingRow } from '../../src/notify/resolve.ts';

const place = { organizationId: 1, projectId: 10 };
const ada = 7;
const addresses = { primary: 'ada@example.com', verified: ['ada@example.com', 'ada@work.example'] };
const own = (type: string, value: string): SettingRow => ({ type, scope: 'user', scopeId: null, value });
const candidate = (...rows: SettingRow[]): Candidate => ({ userId: ada, rows, addresses });

const build = (overrides: Partial<Extract<DecidedEvent, { kind: 'build' }>> = {}): DecidedEvent => ({
  kind: 'build',
  place,
  status: 'failed',
  trigger: 'push',
  pipelineReportsManual: false,
  startedBy: null,
  ...overrides,
});

describe('who hears of a build', () => {
  it.each([
    ['off', 'failed', false, 'setting'],
    ['failed', 'failed', true, null],
    ['failed', 'terminated', true, null],
    ['failed', 'success', false, 'statusNotChosen'],
    ['successful', 'success', true, null],
    ['successful', 'failed', false, 'statusNotChosen'],
    ['both', 'success', true, null],
    ['both', 'failed', true, null],
  ] as const)('build e-mails %s, a %s build: gets it %s', (value, status, gets, because) => {
    const decision = decide(build({ status }), candidate(own('buildEmails', value)));
    expect(decision.gets).toBe(gets);
    if (!decision.gets) expect(decision.because).toBe(because);
  });

  it('nobody by default: build e-mails are off until chosen', () => {
    expect(decide(build(), candidate())).toMatchObject({ gets: false, because: 'setting', decidedBy: 'default' });
  });

  it('a running build is not mailed', () => {
    expect(decide(build({ status: 'running' }), candidate(own('buildEmails', 'both')))).toMatchObject({ gets: false, because: 'stillRunning' });
  });

  it.each(['push', 'schedule', 'api'] as const)('a build started by %s is mailed', (trigger) => {
    expect(decide(build({ trigger }), candidate(own('buildEmails', 'failed'))).gets).toBe(true);
  });

  it("a build started by hand only when its pipeline reports manual executions", () => {
    expect(decide(build({ trigger: 'manual' }), candidate(own('buildEmails', 'failed')))).toMatchObject({ gets: false, because: 'manualBuild' });
    expect(decide(build({ trigger: 'manual', pipelineReportsManual: true }), candidate(own('buildEmails', 'failed'))).gets).toBe(true);
  });

  it('my own build only when I asked to hear of my own activity', () => {
    expect(decide(build({ startedBy: ada }), candidate(own('buildEmails', 'failed')))).toMatchObject({ gets: false, because: 'ownActivity' });
    expect(decide(build({ startedBy: ada }), candidate(own('buildEmails', 'failed'), own('myActivity', 'on'))).gets).toBe(true);
  });

  it("a project's own setting wins over the person's default", () => {
    const rows = [own('buildEmails', 'off'), { type: 'buildEmails', scope: 'project' as const, scopeId: 10, value: 'failed' }];
    expect(decide(build(), candidate(...rows))).toMatchObject({ gets: true, decidedBy: { scope: 'project', scopeId: 10 } });
  });
});

describe('who hears of a deploy', () => {
  const deploy = (commitAuthorEmails: string[]): DecidedEvent => ({ kind: 'deploy', place, commitAuthorEmails });

  it('by default only with a commit of mine, matched against every verified address, in any case', () => {
    expect(decide(deploy(['grace@example.com']), candidate())).toMatchObject({ gets: false, because: 'notTheirCommits', decidedBy: 'default' });
    expect(decide(deploy(['grace@example.com', 'ADA@work.example']), candidate())).toMatchObject({ gets: true, decidedBy: 'default' });
  });

  it('an unverified address is not mine', () => {
    const unverified: Candidate = { userId: ada, rows: [], addresses: { primary: 'ada@example.com', verified: ['ada@example.com'] } };
    expect(decide(deploy(['ada@work.example']), unverified)).toMatchObject({ gets: false, because: 'notTheirCommits' });
  });

  it('always, or never', () => {
    expect(decide(deploy([]), candidate(own('deploys', 'always'))).gets).toBe(true);
    expect(decide(deploy(['ada@example.com']), candidate(own('deploys', 'never')))).toMatchObject({ gets: false, because: 'setting' });
  });
});

describe('who hears of an issue', () => {
  const workflow = (overrides: Partial<Extract<DecidedEvent, { kind: 'workflow' }>> = {}): DecidedEvent => ({ kind: 'workflow', place, actorUserId: null, subscriberIds: [], ...overrides });

  it('alerts: always by default, never when chosen', () => {
    expect(decide({ kind: 'issueAlert', place }, candidate()).gets).toBe(true);
    expect(decide({ kind: 'issueAlert', place }, candidate(own('issueAlerts', 'never')))).toMatchObject({ gets: false, because: 'setting' });
  });

  it('workflow: by default only issues I follow', () => {
    expect(decide(workflow(), candidate())).toMatchObject({ gets: false, because: 'notSubscribed' });
    expect(decide(workflow({ subscriberIds: [ada] }), candidate()).gets).toBe(true);
    expect(decide(workflow(), candidate(own('workflow', 'always'))).gets).toBe(true);
    expect(decide(workflow({ subscriberIds: [ada] }), candidate(own('workflow', 'never')))).toMatchObject({ gets: false, because: 'setting' });
  });

  it('workflow: not my own action unless I asked for it', () => {
    expect(decide(workflow({ subscriberIds: [ada], actorUserId: ada }), candidate())).toMatchObject({ gets: false, because: 'ownActivity' });
    expect(decide(workflow({ subscriberIds: [ada], actorUserId: ada }), candidate(own('myActivity', 'on'))).gets).toBe(true);
  });
});

describe('where it goes', () => {
  it("to the project's address, else the primary; nobody without a verified address", () => {
    const routed = candidate({ type: 'emailRouting', scope: 'project', scopeId: 10, value: 'ada@work.example' });
    expect(decide({ kind: 'issueAlert', place }, routed)).toMatchObject({ gets: true, address: 'ada@work.example', addressDecidedBy: { scope: 'project', scopeId: 10 } });
    expect(decide({ kind: 'issueAlert', place: { organizationId: 1, projectId: 11 } }, routed)).toMatchObject({ gets: true, address: 'ada@example.com', addressDecidedBy: 'default' });
    const unconfirmed: Candidate = { userId: ada, rows: [], addresses: { primary: 'ada@example.com', verified: [] } };
    expect(decide({ kind: 'issueAlert', place }, unconfirmed)).toMatchObject({ gets: false, because: 'noVerifiedAddress' });
  });
});
