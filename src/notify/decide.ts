import type { NotificationType } from './registry.ts';
import { resolveAddress, resolveSetting, type DecidedBy, type EventPlace, type RoutableAddresses, type SettingRow } from './resolve.ts';

/** What happened, as much of it as deciding who hears of it needs. */
export type DecidedEvent =
  | {
      kind: 'build';
      place: EventPlace;
      status: 'success' | 'failed' | 'terminated' | 'running';
      trigger: 'push' | 'schedule' | 'manual' | 'api';
      /** The pipeline's "report notifications for manual executions". */
      pipelineReportsManual: boolean;
      startedBy: number | null;
    }
  | { kind: 'deploy'; place: EventPlace; commitAuthorEmails: readonly string[] }
  | { kind: 'issueAlert'; place: EventPlace }
  | { kind: 'workflow'; place: EventPlace; actorUserId: number | null; subscriberIds: readonly number[] };

/** A member of the event's organization, with their settings and addresses. */
export interface Candidate {
  userId: number;
  rows: readonly SettingRow[];
  addresses: RoutableAddresses;
}

/** Why someone does not hear of an event (the "who gets what" page shows it). */
export type LeftOutBecause = 'setting' | 'ownActivity' | 'notTheirCommits' | 'notSubscribed' | 'statusNotChosen' | 'manualBuild' | 'stillRunning' | 'noVerifiedAddress';

export type Decision =
  | { userId: number; gets: true; type: NotificationType; value: string; decidedBy: DecidedBy; address: string; addressDecidedBy: DecidedBy }
  | { userId: number; gets: false; type: NotificationType; decidedBy: DecidedBy | null; because: LeftOutBecause };

/** The setting that decides who hears of each kind of event. */
export const typeOfEvent: Record<DecidedEvent['kind'], NotificationType> = { build: 'buildEmails', deploy: 'deploys', issueAlert: 'issueAlerts', workflow: 'workflow' };

const lower = (address: string) => address.toLowerCase();

/**
 * Whether one member hears of an event, and why: their resolved setting for its type, then what
 * that setting depends on (the build's status, their own commits, their subscription), then their
 * own activity (off by default), then an address to send to (verified only). A pure function:
 * the dispatcher and the "who gets what" page give it the same rows.
 *
 * Builds: only finished ones; a terminated build counts as a failed one; a build started by hand
 * only when its pipeline reports manual executions.
 */
export function decide(event: DecidedEvent, candidate: Candidate): Decision {
  const type = typeOfEvent[event.kind];
  const setting = resolveSetting(type, candidate.rows, event.place);
  const leaveOut = (because: LeftOutBecause, decidedBy: DecidedBy | null = setting.by): Decision => ({ userId: candidate.userId, gets: false, type, decidedBy, because });

  switch (event.kind) {
    case 'build': {
      if (event.status === 'running') return leaveOut('stillRunning', null);
      if (event.trigger === 'manual' && !event.pipelineReportsManual) return leaveOut('manualBuild', null);
      if (setting.value === 'off') return leaveOut('setting');
      const wanted = event.status === 'success' ? ['successful', 'both'] : ['failed', 'both'];
      if (!wanted.includes(setting.value)) return leaveOut('statusNotChosen');
      if (event.startedBy === candidate.userId && !notifiesOwnActivity(candidate)) return leaveOut('ownActivity', resolveSetting('myActivity', candidate.rows, event.place).by);
      break;
    }
    case 'deploy': {
      if (setting.value === 'never') return leaveOut('setting');
      if (setting.value === 'myCommits') {
        const mine = new Set(candidate.addresses.verified.map(lower));
        if (!event.commitAuthorEmails.some((address) => mine.has(lower(address)))) return leaveOut('notTheirCommits');
      }
      break;
    }
    case 'issueAlert': {
      if (setting.value === 'never') return leaveOut('setting');
      break;
    }
    case 'workflow': {
      if (setting.value === 'never') return leaveOut('setting');
      if (setting.value === 'subscribed' && !event.subscriberIds.includes(candidate.userId)) return leaveOut('notSubscribed');
      if (event.actorUserId === candidate.userId && !notifiesOwnActivity(candidate)) return leaveOut('ownActivity', resolveSetting('myActivity', candidate.rows, event.place).by);
      break;
    }
  }
  const address = resolveAddress(candidate.rows, event.place, candidate.addresses);
  if (!address) return leaveOut('noVerifiedAddress');
  return { userId: candidate.userId, gets: true, type, value: setting.value, decidedBy: setting.by, address: address.value, addressDecidedBy: address.by };
}

function notifiesOwnActivity(candidate: Candidate): boolean {
  return resolveSetting('myActivity', candidate.rows, { organizationId: 0, projectId: null }).value === 'on';
}
