import { z } from 'zod';
import { platformName, platformSlug } from '../platform/fields.ts';
import { buildStatuses, buildTriggers, issueActivityKinds, issueLevels, issueStatuses, maxDeployCommits, maxFrames, organizationRoles } from '../platform/service.ts';
import { emailAddress } from '../web/form-fields.ts';

/** The platform's bodies and answers in the JSON API. Request bodies are strict: an unknown field is refused. */

const timestamp = z.iso.datetime();
/** A time as a sender reports it: UTC (`Z`) or with an offset. */
const reportedTime = z.iso.datetime({ offset: true });
const id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
// Control and text-direction characters would let a reported text pass for another in a page or a
// mail's subject (a reversed file name): a one-line text takes none, a longer one only line breaks and tabs.
const oneLineRefused = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const manyLinesRefused = /(?![\t\n\r])[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;
const invisibleMessage = 'must not contain control or text-direction characters';
const text = (max: number) => z.string().max(max).refine((value) => !manyLinesRefused.test(value), { error: invisibleMessage });
const oneLine = (max: number) => z.string().max(max).refine((value) => !oneLineRefused.test(value), { error: invisibleMessage });
const label = (max: number) => z.string().trim().min(1).max(max).refine((value) => !oneLineRefused.test(value), { error: invisibleMessage });
const manyLinesLabel = (max: number) => z.string().trim().min(1).max(max).refine((value) => !manyLinesRefused.test(value), { error: invisibleMessage });

/** Path parameters: a slug that is not one is simply not found, so the parameters take any short text. */
export const orgParams = z.strictObject({ org: z.string().max(100) });
export const memberParams = z.strictObject({ org: z.string().max(100), userId: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
export const projectParams = z.strictObject({ org: z.string().max(100), project: z.string().max(100) });
export const pipelineParams = z.strictObject({ org: z.string().max(100), project: z.string().max(100), pipelineId: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
export const issueParams = z.strictObject({ org: z.string().max(100), id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

const pageQuery = {
  page: z.coerce.number().int().min(1).max(10_000).optional(),
  perPage: z.coerce.number().int().min(1).max(100).optional(),
};
export const buildsQuery = z.strictObject({ ...pageQuery, pipelineId: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(), status: z.enum(buildStatuses).optional() });
export const deploysQuery = z.strictObject(pageQuery);
export const issuesQuery = z.strictObject({ ...pageQuery, status: z.enum(issueStatuses).optional(), project: z.string().max(100).optional() });

export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/)
    .optional()
    .meta({ description: 'Another name for this report: a repeat with the same key is answered with the first answer' }),
});

const organizationRole = z.enum(organizationRoles);

export const organizationSchema = z.object({ id: z.number().int(), name: z.string(), slug: z.string(), role: organizationRole.meta({ description: "The caller's role" }), createdAt: timestamp });
export const pipelineSchema = z.object({
  id: z.number().int(),
  projectId: z.number().int(),
  name: z.string(),
  notifyManualExecutions: z.boolean().meta({ description: 'Whether builds started by hand notify (off by default)' }),
  createdAt: timestamp,
});
export const projectSchema = z.object({ id: z.number().int(), name: z.string(), slug: z.string(), createdAt: timestamp });
export const memberSchema = z.object({ userId: z.number().int(), name: z.string(), email: z.string(), role: organizationRole, joinedAt: timestamp });
export const organizationDetailSchema = organizationSchema.extend({
  projects: z.array(projectSchema.extend({ pipelines: z.array(pipelineSchema) })),
  members: z.array(memberSchema),
});

export const createOrganizationBody = z.strictObject({ name: platformName, slug: platformSlug });
export const invitationSchema = z.object({
  id: z.number().int(),
  email: z.string().meta({ description: 'The invited address, trimmed and lower-cased' }),
  role: organizationRole,
  invitedAt: timestamp,
});
export const receivedInvitationSchema = z.object({
  id: z.number().int(),
  organization: z.object({ name: z.string(), slug: z.string() }),
  role: organizationRole,
  invitedBy: z.string().nullable().meta({ description: "The inviting owner's name; null when that account is gone" }),
  invitedAt: timestamp,
});
export const orgInvitationParams = z.strictObject({ org: z.string().max(100), id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
export const invitationParams = z.strictObject({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
export const inviteBody = z.strictObject({ email: emailAddress, role: organizationRole.default('member') });
export const changeRoleBody = z.strictObject({ role: organizationRole });
export const createProjectBody = z.strictObject({ name: platformName, slug: platformSlug });
export const createPipelineBody = z.strictObject({ name: platformName, notifyManualExecutions: z.boolean().optional() });
export const changePipelineBody = z.strictObject({ notifyManualExecutions: z.boolean() });

const eventId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, { error: 'must be 1–200 visible ASCII characters' })
  .meta({ description: "The sender's id of this event: a repeat with the same id is answered with the first answer" });
const sha = z.string().regex(/^[0-9a-fA-F]{7,64}$/, { error: 'must be a hexadecimal commit id' });
const projectRefSchema = z.object({ id: z.number().int(), name: z.string(), slug: z.string() });

export const buildReportBody = z.strictObject({
  eventId,
  pipelineId: id,
  buildId: label(200).meta({ description: "The CI/CD side's id of the build: its started and finished reports share it" }),
  status: z.enum(buildStatuses),
  trigger: z.enum(buildTriggers),
  startedAt: reportedTime,
  finishedAt: reportedTime.nullable().optional().meta({ description: 'Absent or null while running; required once finished' }),
  commit: z.strictObject({ sha, message: text(10_000), authorName: oneLine(200), authorEmail: oneLine(254) }),
  startedBy: id.nullable().optional().meta({ description: 'The user id of the member who started it, if a person did' }),
});
export const buildSchema = z.object({
  id: z.number().int(),
  buildId: z.string(),
  pipeline: z.object({ id: z.number().int(), name: z.string() }),
  project: projectRefSchema,
  status: z.enum(buildStatuses),
  trigger: z.enum(buildTriggers),
  startedAt: timestamp,
  finishedAt: timestamp.nullable(),
  commit: z.object({ sha: z.string(), message: z.string(), authorName: z.string(), authorEmail: z.string() }),
  startedBy: z.number().int().nullable(),
});

export const deployReportBody = z.strictObject({
  eventId,
  project: z.string().max(100),
  environment: label(100),
  version: label(200),
  finishedAt: reportedTime,
  commits: z.array(z.strictObject({ sha, authorEmail: oneLine(254) })).max(maxDeployCommits).optional(),
});
export const deploySchema = z.object({
  id: z.number().int(),
  project: projectRefSchema,
  environment: z.string(),
  version: z.string(),
  finishedAt: timestamp,
  commits: z.array(z.object({ sha: z.string(), authorEmail: z.string() })),
});

const frame = z.strictObject({
  file: oneLine(1000),
  function: oneLine(1000),
  line: z.number().int().min(0).max(100_000_000).nullable().optional(),
  inApp: z.boolean().optional().meta({ description: 'Whether the frame is in the application rather than a library (default false)' }),
});
export const errorEventBody = z.strictObject({
  eventId,
  project: z.string().max(100),
  fingerprint: label(200).nullable().optional().meta({ description: 'Events with the same fingerprint in a project are one issue; the title by default' }),
  title: label(500),
  level: z.enum(issueLevels).optional().meta({ description: '`error` by default' }),
  occurredAt: reportedTime,
  message: text(10_000).optional(),
  frames: z.array(frame).max(maxFrames).optional().meta({ description: `The stack trace, outermost call first: at most ${maxFrames} frames and 64 KB` }),
});
export const issueSchema = z.object({
  id: z.number().int(),
  project: projectRefSchema,
  title: z.string(),
  level: z.enum(issueLevels),
  status: z.enum(issueStatuses),
  assigneeId: z.number().int().nullable(),
  firstSeen: timestamp,
  lastSeen: timestamp,
  eventCount: z.number().int(),
});
export const reportedErrorSchema = z.object({
  eventId: z.string(),
  issue: issueSchema,
  newIssue: z.boolean(),
  regressed: z.boolean().meta({ description: 'The event reopened a resolved issue' }),
});
const personRef = z.object({ id: z.number().int(), name: z.string() });
export const activitySchema = z.object({
  id: z.number().int(),
  kind: z.enum(issueActivityKinds),
  actor: personRef.nullable().meta({ description: 'Null when Dials itself did it (a regression)' }),
  assignee: personRef.nullable(),
  comment: z.string().nullable(),
  at: timestamp,
});
export const issueDetailSchema = issueSchema.extend({
  latestEvent: z
    .object({
      id: z.number().int(),
      occurredAt: timestamp,
      level: z.enum(issueLevels),
      message: z.string(),
      frames: z.array(z.object({ file: z.string(), function: z.string(), line: z.number().int().nullable(), inApp: z.boolean() })),
    })
    .nullable(),
  activity: z.array(activitySchema),
  subscribed: z.boolean().meta({ description: 'Whether the caller follows the issue' }),
});

export const activityReportBody = z.discriminatedUnion('kind', [
  z.strictObject({ eventId, kind: z.literal('assigned'), assigneeId: id }),
  z.strictObject({ eventId, kind: z.literal('unassigned') }),
  z.strictObject({ eventId, kind: z.literal('resolved') }),
  z.strictObject({ eventId, kind: z.literal('unresolved') }),
  z.strictObject({ eventId, kind: z.literal('comment'), comment: manyLinesLabel(10_000) }),
]);

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), page: z.number().int(), perPage: z.number().int(), hasNext: z.boolean() });
