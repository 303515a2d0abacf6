import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ActivityInput, PlatformService, ReportedBuild, ReportedErrorEvent } from '../platform/service.ts';
import { sendProblem } from '../web/problem.ts';
import { keyActorOf } from './guard.ts';
import { activityAnswer, buildAnswer, deployAnswer, issueAnswer, issueDetailAnswer, pageAnswer } from './platform-answers.ts';
import {
  activityReportBody,
  activitySchema,
  buildReportBody,
  buildSchema,
  buildsQuery,
  deployReportBody,
  deploySchema,
  deploysQuery,
  errorEventBody,
  idempotencyHeaders,
  issueDetailSchema,
  issueParams,
  issueSchema,
  issuesQuery,
  orgParams,
  pageOf,
  reportedErrorSchema,
} from './platform-schemas.ts';
import { receiptFor, sendReportResult } from './receipts.ts';
import { problemSchema } from './schemas.ts';

/** The largest report body: an error event with its stack trace (64 KB of frames) and message. */
export const reportBodyLimit = 256 * 1024;

const refusals = { 401: problemSchema, 403: problemSchema, 404: problemSchema, 429: problemSchema };
const reportRefusals = { ...refusals, 400: problemSchema, 413: problemSchema, 422: problemSchema };
const idempotency =
  'Every report carries an `eventId`, and may carry an `Idempotency-Key` header. A report whose event id (or key) was accepted before, in the same organization, ' +
  'is not applied again: it is answered with the first answer, same status and body, with the header `Idempotent-Replayed: true`. The same id or key with a different ' +
  'request is refused with 422 (`urn:dials:problem:event-id-reused`). Invalid fields are 422 with `errors: [{ pointer, message }]`; times more than 5 minutes ahead of the server are refused.';

const notFound = (reply: FastifyReply, what: string) => sendProblem(reply, 'notFound', `No such ${what}.`);

/** What happens in an organization: the platform reports builds, deploys, errors and issue activity, and members read them back. */
export function registerEventApi(scope: FastifyInstance, deps: { platform: PlatformService }): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  const { reports, feeds, issues } = deps.platform;

  api.post(
    '/orgs/:org/builds',
    {
      config: { scope: 'builds:write', unprocessableBody: true },
      bodyLimit: reportBodyLimit,
      schema: {
        summary: 'Report a build that started (status `running`) or finished',
        description: `The "started" and "finished" reports of a build share its \`buildId\` and make one build: 201 when it is new, 200 when it updates one. ${idempotency}`,
        tags: ['builds'],
        params: orgParams,
        headers: idempotencyHeaders,
        body: buildReportBody,
        response: { 200: buildSchema, 201: buildSchema, ...reportRefusals },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await reports.build(
        keyActorOf(request),
        request.params.org,
        {
          pipelineId: body.pipelineId,
          buildId: body.buildId,
          status: body.status,
          trigger: body.trigger,
          startedAt: new Date(body.startedAt),
          finishedAt: body.finishedAt ? new Date(body.finishedAt) : null,
          commit: body.commit,
          startedBy: body.startedBy ?? null,
        },
        receiptFor<ReportedBuild>(request, body.eventId, (reported) => ({ status: reported.created ? 201 : 200, body: buildAnswer(reported.build) })),
      );
      return sendReportResult(reply, result);
    },
  );

  api.get(
    '/orgs/:org/builds',
    {
      config: { scope: 'builds:read' },
      schema: { summary: 'Recent builds, newest first', tags: ['builds'], params: orgParams, querystring: buildsQuery, response: { 200: pageOf(buildSchema), 400: problemSchema, ...refusals } },
    },
    async (request, reply) => {
      const found = await feeds.builds(keyActorOf(request), request.params.org, request.query);
      return found.ok ? pageAnswer(found.builds, buildAnswer) : notFound(reply, 'organization');
    },
  );

  api.post(
    '/orgs/:org/deploys',
    {
      config: { scope: 'deploys:write', unprocessableBody: true },
      bodyLimit: reportBodyLimit,
      schema: {
        summary: 'Report a deploy, with the commits it brought',
        description: idempotency,
        tags: ['deploys'],
        params: orgParams,
        headers: idempotencyHeaders,
        body: deployReportBody,
        response: { 201: deploySchema, ...reportRefusals },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await reports.deploy(
        keyActorOf(request),
        request.params.org,
        { project: body.project, environment: body.environment, version: body.version, finishedAt: new Date(body.finishedAt), commits: body.commits ?? [] },
        receiptFor(request, body.eventId, (deploy) => ({ status: 201, body: deployAnswer(deploy) })),
      );
      return sendReportResult(reply, result);
    },
  );

  api.get(
    '/orgs/:org/deploys',
    {
      config: { scope: 'deploys:read' },
      schema: { summary: 'Recent deploys, newest first', tags: ['deploys'], params: orgParams, querystring: deploysQuery, response: { 200: pageOf(deploySchema), 400: problemSchema, ...refusals } },
    },
    async (request, reply) => {
      const found = await feeds.deploys(keyActorOf(request), request.params.org, request.query);
      return found.ok ? pageAnswer(found.deploys, deployAnswer) : notFound(reply, 'organization');
    },
  );

  api.post(
    '/orgs/:org/events',
    {
      config: { scope: 'issues:write', unprocessableBody: true },
      bodyLimit: reportBodyLimit,
      schema: {
        summary: 'Report an error event',
        description: `The event joins the project's issue with the same fingerprint (the title when none is sent), or opens one (201 either way); an event for a resolved issue reopens it as a regression. ${idempotency}`,
        tags: ['issues'],
        params: orgParams,
        headers: idempotencyHeaders,
        body: errorEventBody,
        response: { 201: reportedErrorSchema, ...reportRefusals },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await reports.errorEvent(
        keyActorOf(request),
        request.params.org,
        {
          project: body.project,
          fingerprint: body.fingerprint ?? null,
          title: body.title,
          level: body.level ?? 'error',
          occurredAt: new Date(body.occurredAt),
          message: body.message ?? '',
          frames: (body.frames ?? []).map((frame) => ({ file: frame.file, function: frame.function, line: frame.line ?? null, inApp: frame.inApp ?? false })),
        },
        receiptFor<ReportedErrorEvent>(request, body.eventId, (reported) => ({
          status: 201,
          body: { eventId: body.eventId, issue: issueAnswer(reported.issue), newIssue: reported.newIssue, regressed: reported.regressed },
        })),
      );
      return sendReportResult(reply, result);
    },
  );

  api.get(
    '/orgs/:org/issues',
    {
      config: { scope: 'issues:read' },
      schema: { summary: 'Issues, the most recently seen first', tags: ['issues'], params: orgParams, querystring: issuesQuery, response: { 200: pageOf(issueSchema), 400: problemSchema, ...refusals } },
    },
    async (request, reply) => {
      const found = await feeds.issues(keyActorOf(request), request.params.org, request.query);
      return found.ok ? pageAnswer(found.issues, issueAnswer) : notFound(reply, 'organization');
    },
  );

  api.get(
    '/orgs/:org/issues/:id',
    {
      config: { scope: 'issues:read' },
      schema: {
        summary: 'An issue with its latest stack trace, its activity, and whether the caller follows it',
        tags: ['issues'],
        params: issueParams,
        response: { 200: issueDetailSchema, 400: problemSchema, ...refusals },
      },
    },
    async (request, reply) => {
      const found = await issues.find(keyActorOf(request), request.params.org, request.params.id);
      return found.ok ? issueDetailAnswer(found.issue) : notFound(reply, 'issue');
    },
  );

  api.post(
    '/orgs/:org/issues/:id/activity',
    {
      config: { scope: 'issues:write', unprocessableBody: true },
      bodyLimit: reportBodyLimit,
      schema: {
        summary: 'Report activity on an issue: assigned, unassigned, resolved, unresolved or a comment, by the user the key acts for',
        description: `Assigning subscribes the assignee, commenting the commenter, unless they unsubscribed from the issue. ${idempotency}`,
        tags: ['issues'],
        params: issueParams,
        headers: idempotencyHeaders,
        body: activityReportBody,
        response: { 201: activitySchema, ...reportRefusals },
      },
    },
    async (request, reply) => {
      const { eventId, ...activity } = request.body;
      const result = await reports.issueActivity(
        keyActorOf(request),
        request.params.org,
        { issueId: request.params.id, activity: activity as ActivityInput },
        receiptFor(request, eventId, (view) => ({ status: 201, body: activityAnswer(view) })),
      );
      return sendReportResult(reply, result);
    },
  );
}
