import type { Actor } from '../lib/actor.ts';
import { decide, typeOfEvent, type Candidate, type DecidedEvent, type Decision, type LeftOutBecause } from './decide.ts';
import { notificationTypes, type NotificationType } from './registry.ts';
import { resolveSetting, type DecidedBy, type EventPlace, type RoutableAddresses } from './resolve.ts';
import type { NotificationSettings, SettingType } from './settings.ts';

/** The settings the dispatcher reads for every event (dispatcher.ts): the same ones, so the answer is its answer. */
const settingTypesRead: readonly SettingType[] = ['buildEmails', 'deploys', 'issueAlerts', 'workflow', 'myActivity', 'emailRouting'];

export const questionKinds = ['build', 'deploy', 'issueAlert', 'workflow'] as const;
export type QuestionKind = (typeof questionKinds)[number];
export const askedBuildStatuses = ['failed', 'success', 'terminated'] as const;
export const askedBuildTriggers = ['push', 'schedule', 'manual', 'api'] as const;

/** Who did something: a member of the organization, someone else (anyone but the members shown), or no one. */
export type Doer = { userId: number } | 'someoneElse' | null;

/** An event as the question describes it: what `decide()` takes, named by the organization's own ids (null: its first project or pipeline). */
export type DescribedEvent =
  | { kind: 'build'; pipelineId: number | null; status: (typeof askedBuildStatuses)[number]; trigger: (typeof askedBuildTriggers)[number]; startedBy: Doer }
  | { kind: 'deploy'; projectId: number | null; commitAuthorEmails: readonly string[] }
  | { kind: 'issueAlert'; projectId: number | null }
  | { kind: 'workflow'; projectId: number | null; actor: Doer; subscriberIds: readonly number[] };

/** An organization as the question needs it (the platform's answer fits it): its projects and pipelines, the actor's role. */
export interface OrganizationDetail {
  id: number;
  name: string;
  slug: string;
  role: 'owner' | 'member';
  projects: ReadonlyArray<{ id: number; name: string; slug: string; pipelines: ReadonlyArray<{ id: number; name: string; notifyManualExecutions: boolean }> }>;
}

/** Members as the question reads them: their name and primary address (the one the members list shows). */
export interface MemberEntry {
  userId: number;
  name: string;
  email: string;
}

/** Who is read: the actor alone, or one page of members by name. */
export type MembersAsked = 'me' | { offset: number; limit: number };

/** The organization and the members asked for, with how many there are and the first `limit` by name (to name in the question). */
export interface OrganizationPlace {
  organization: OrganizationDetail;
  members: readonly MemberEntry[];
  memberTotal: number;
  firstMembers: readonly MemberEntry[];
}

/** Members answered for on one page of an owner's look, and named in the question's pickers. */
export const membersPerPage = 50;

/** Everyone in the organization (its owners may ask), or only the person asking. */
export type Audience = 'everyone' | 'me';

/** The field of the question a refusal is about. */
export type QuestionField = 'kind' | 'pipeline' | 'project' | 'status' | 'trigger' | 'startedBy' | 'authors' | 'actor' | 'subscribed';

export type Refusal =
  | { ok: false; reason: 'notFound' }
  | { ok: false; reason: 'ownerOnly' }
  | { ok: false; reason: 'refused'; field: QuestionField; why: 'notInOrganization' | 'notAMember' | 'unknownValue' };

/** The setting that decided one person's answer: its type, the value it had for the event, and where it was set (or the type's default). */
export interface DecidingSetting {
  type: NotificationType;
  value: string;
  by: DecidedBy;
}

export interface AnswerRow {
  userId: number;
  name: string;
  gets: boolean;
  /** Where it goes, and which routing decided it; null when it does not go. */
  address: string | null;
  addressBy: DecidedBy | null;
  /** Null when no setting of the person decided it (a build still running, a manual build its pipeline does not report). */
  decidedBy: DecidingSetting | null;
  because: LeftOutBecause | null;
}

/**
 * What the question may name: the organization's projects and pipelines; the members answered for
 * (one page of them by name, or only the asker for `me`) and how many there are; and the people the
 * question may name with the addresses offered as commit authors: for `me`, oneself with every one
 * of one's verified addresses; for everyone, the first members by name with their primary address
 * alone (an owner sees no member's other addresses, only, in an answer, the one routing picked).
 */
export interface QuestionChoices {
  organization: Pick<OrganizationDetail, 'id' | 'name' | 'slug' | 'role' | 'projects'>;
  members: Array<{ userId: number; name: string }>;
  memberTotal: number;
  /** Where the members shown begin among all of them by name (0 for the first page). */
  offset: number;
  pickable: Array<{ userId: number; name: string; addresses: readonly string[] }>;
}

export type LookResult = ({ ok: true; answer: AnswerRow[] | null } & QuestionChoices) | Refusal;

export type WhoGetsWhat = ReturnType<typeof createWhoGetsWhat>;

/**
 * "Who gets what" (DESIGN.md rule 12): for an event described by hand, who in an organization
 * would hear of it, at which address, and the setting that decided it. It asks `decide()` with the
 * very inputs the dispatcher gives it (the members, `settings.rowsOfEach` over the same types,
 * `addressesOfEach`), in a fixed number of queries whatever the member count: the organization
 * with its projects and one page of members by name (`membersPerPage`), their settings, their
 * addresses.
 *
 * Owners may ask about everyone in their organization, a page at a time; anyone may ask about
 * themselves, and then reads nothing of anyone else's membership, settings or addresses. A person
 * named in the question (who started a build, who acted, who follows) is one of those shown or of
 * the first `membersPerPage` by name: those the form offers.
 */
export function createWhoGetsWhat(deps: {
  /** The organization with its projects and pipelines, and the members asked for, when the actor belongs to it. */
  organization: (actor: Actor, slug: string, members: MembersAsked) => Promise<({ ok: true } & OrganizationPlace) | { ok: false }>;
  settings: Pick<NotificationSettings, 'rowsOfEach'>;
  addressesOfEach: (userIds: readonly number[]) => Promise<Map<number, RoutableAddresses>>;
}) {
  return {
    /**
     * The choices a question can make in the organization, and, when `event` is given, the answer
     * for each member (or the actor alone). Refuses an organization the actor is not in
     * (`notFound`), `everyone` to a member who is not an owner, and a project, pipeline or person of
     * another organization.
     */
    async look(actor: Actor, question: { organization: string; audience: Audience; event: DescribedEvent | null; page?: number }): Promise<LookResult> {
      const mine = question.audience === 'me';
      const offset = mine ? 0 : (Math.max(1, Math.trunc(question.page ?? 1)) - 1) * membersPerPage;
      const found = await deps.organization(actor, question.organization, mine ? 'me' : { offset, limit: membersPerPage });
      if (!found.ok) return { ok: false, reason: 'notFound' };
      const organization = found.organization;
      if (!mine && organization.role !== 'owner') return { ok: false, reason: 'ownerOnly' };
      const shown = mine ? found.members.filter((member) => member.userId === actor.userId) : found.members;
      const memberIds = new Set([...shown, ...found.firstMembers].map((member) => member.userId));

      const decided = question.event && toDecided(question.event, organization, memberIds, actor, question.audience);
      if (decided && decided !== 'nothingToAsk' && 'ok' in decided) return decided;
      // Nothing asked, or nothing to ask about (no project, no pipeline): the choices alone.
      const event: DecidedEvent | null = decided === 'nothingToAsk' ? null : decided;

      const shownIds = shown.map((member) => member.userId);
      // The dispatcher's inputs, read as it reads them: one query each, whatever the count.
      const [rows, addresses] = await Promise.all([
        event ? deps.settings.rowsOfEach(shownIds, settingTypesRead) : Promise.resolve(new Map()),
        deps.addressesOfEach(shownIds),
      ]);
      const choices: QuestionChoices = {
        organization: { id: organization.id, name: organization.name, slug: organization.slug, role: organization.role, projects: organization.projects },
        members: shown.map((member) => ({ userId: member.userId, name: member.name })),
        memberTotal: mine ? shown.length : found.memberTotal,
        offset,
        pickable: mine
          ? shown.map((member) => ({ userId: member.userId, name: member.name, addresses: addresses.get(member.userId)?.verified ?? [] }))
          : found.firstMembers.map((member) => ({ userId: member.userId, name: member.name, addresses: [member.email] })),
      };
      if (!event) return { ok: true, answer: null, ...choices };

      const answer = shown.map((member): AnswerRow => {
        const candidate: Candidate = { userId: member.userId, rows: rows.get(member.userId) ?? [], addresses: addresses.get(member.userId) ?? { primary: '', verified: [] } };
        return answerRow(member.name, event, candidate, decide(event, candidate));
      });
      return { ok: true, answer, ...choices };
    },
  };
}

const refused = (field: QuestionField, why: 'notInOrganization' | 'notAMember' | 'unknownValue'): Refusal => ({ ok: false, reason: 'refused', field, why });

/** The id `decide()` compares with the members': someone who is none of them. */
const noMember = -1;

/**
 * The event as `decide()` takes it, from ids checked against the organization: a project or
 * pipeline of another organization is refused, and so is a person who is not a member, or, when
 * asking about oneself, anyone but oneself named (only "someone else").
 */
function toDecided(event: DescribedEvent, organization: OrganizationDetail, memberIds: ReadonlySet<number>, actor: Actor, audience: Audience): DecidedEvent | Refusal | 'nothingToAsk' {
  const nameable = (userId: number) => (audience === 'everyone' ? memberIds.has(userId) : userId === actor.userId);
  const doer = (who: Doer, field: QuestionField): number | null | Refusal => {
    if (who === null) return null;
    if (who === 'someoneElse') return noMember;
    return nameable(who.userId) ? who.userId : refused(field, 'notAMember');
  };
  const placeOf = (projectId: number | null): EventPlace | null => {
    const project = projectId === null ? organization.projects[0] : organization.projects.find((candidate) => candidate.id === projectId);
    return project ? { organizationId: organization.id, projectId: project.id } : null;
  };
  const noProject = (projectId: number | null) => projectId === null && organization.projects.length === 0;

  switch (event.kind) {
    case 'build': {
      if (!(askedBuildStatuses as readonly string[]).includes(event.status)) return refused('status', 'unknownValue');
      if (!(askedBuildTriggers as readonly string[]).includes(event.trigger)) return refused('trigger', 'unknownValue');
      const pipelines = organization.projects.flatMap((project) => project.pipelines.map((pipeline) => ({ project, pipeline })));
      if (event.pipelineId === null && pipelines.length === 0) return 'nothingToAsk';
      const found = event.pipelineId === null ? pipelines[0] : pipelines.find((candidate) => candidate.pipeline.id === event.pipelineId);
      if (!found) return refused('pipeline', 'notInOrganization');
      const { project, pipeline } = found;
      const startedBy = doer(event.startedBy, 'startedBy');
      if (startedBy !== null && typeof startedBy === 'object') return startedBy;
      return {
        kind: 'build',
        place: { organizationId: organization.id, projectId: project.id },
        status: event.status,
        trigger: event.trigger,
        pipelineReportsManual: pipeline.notifyManualExecutions,
        startedBy,
      };
    }
    case 'deploy': {
      if (noProject(event.projectId)) return 'nothingToAsk';
      const place = placeOf(event.projectId);
      if (!place) return refused('project', 'notInOrganization');
      return { kind: 'deploy', place, commitAuthorEmails: event.commitAuthorEmails };
    }
    case 'issueAlert': {
      if (noProject(event.projectId)) return 'nothingToAsk';
      const place = placeOf(event.projectId);
      if (!place) return refused('project', 'notInOrganization');
      return { kind: 'issueAlert', place };
    }
    case 'workflow': {
      if (noProject(event.projectId)) return 'nothingToAsk';
      const place = placeOf(event.projectId);
      if (!place) return refused('project', 'notInOrganization');
      const actorUserId = doer(event.actor, 'actor');
      if (actorUserId !== null && typeof actorUserId === 'object') return actorUserId;
      if (!event.subscriberIds.every(nameable)) return refused('subscribed', 'notAMember');
      return { kind: 'workflow', place, actorUserId, subscriberIds: event.subscriberIds };
    }
    default:
      return refused('kind', 'unknownValue');
  }
}

/** One member's line: `decide()`'s answer, with the value of the setting that decided it read from the same rows. */
function answerRow(name: string, event: DecidedEvent, candidate: Candidate, decision: Decision): AnswerRow {
  if (decision.gets) {
    return {
      userId: candidate.userId,
      name,
      gets: true,
      address: decision.address,
      addressBy: decision.addressDecidedBy,
      decidedBy: { type: decision.type, value: decision.value, by: decision.decidedBy },
      because: null,
    };
  }
  const type: NotificationType = decision.because === 'ownActivity' ? 'myActivity' : typeOfEvent[event.kind];
  const setting = decision.decidedBy === null ? null : resolveSetting(type, candidate.rows, event.place);
  return {
    userId: candidate.userId,
    name,
    gets: false,
    address: null,
    addressBy: null,
    decidedBy: setting && { type, value: setting.value, by: setting.by },
    because: decision.because,
  };
}

/** Whether a type reaches no one unless they chose it (build e-mails): the page says so when no one gets it. */
export function reachesOnlyThoseWhoChose(kind: QuestionKind): boolean {
  const type = typeOfEvent[kind];
  return notificationTypes[type].default === notificationTypes[type].off;
}
