import { createHash } from 'node:crypto';
import type { Actor } from '../lib/actor.ts';
import type { ReportResult, Receipt } from './service.ts';
import type { PlatformService } from './service.ts';
import type { BuildStatus, BuildTrigger, IssueLevel, StackFrame } from './tables.ts';

/**
 * The demo organization: what `dials demo` fills an instance with, so that a newcomer sees real
 * pages at once. Everything goes through the platform's services, as the event API's reports do,
 * each report with a fixed event id: a second run is answered with the first answers and writes
 * nothing, so running it twice doubles nothing.
 */

export const demoSlug = 'demo';
const dayMs = 24 * 60 * 60 * 1000;
const hourMs = 60 * 60 * 1000;

const projects = [
  { name: 'Storefront', slug: 'storefront', pipelines: ['main', 'release'], language: 'ts' },
  { name: 'Payments API', slug: 'payments-api', pipelines: ['main', 'nightly'], language: 'py' },
  { name: 'Mobile app', slug: 'mobile-app', pipelines: ['main'], language: 'kt' },
] as const;

const authors: readonly [{ name: string; email: string }, ...Array<{ name: string; email: string }>] = [
  { name: 'Robin Builder', email: 'robin@demo.example' },
  { name: 'Sam Reviewer', email: 'sam@demo.example' },
  { name: 'Alex Tester', email: 'alex@demo.example' },
  { name: 'Kim Releaser', email: 'kim@demo.example' },
];

const messages = [
  'Cache the product list for a minute',
  'Fix rounding of totals in the basket',
  'Upgrade the HTTP client',
  'Retry payment webhooks with a backoff',
  'Show delivery dates in the customer\u2019s time zone',
  'Remove the old checkout flag',
  'Log slow queries',
] as const;

export interface DemoCounts {
  projects: number;
  pipelines: number;
  builds: number;
  deploys: number;
  errorEvents: number;
  activity: number;
}

export interface DemoSummary {
  organizationCreated: boolean;
  /** What this run wrote. */
  made: DemoCounts;
  /** What was there already from an earlier run (answered, not written again). */
  alreadyThere: DemoCounts;
  issues: number;
}

export type DemoResult = { ok: true; summary: DemoSummary } | { ok: false; reason: 'slugTaken' | 'refused'; detail?: string };

const emptyCounts = (): DemoCounts => ({ projects: 0, pipelines: 0, builds: 0, deploys: 0, errorEvents: 0, activity: 0 });

/** A receipt whose digest is its event id alone: a later run with other times is still a repeat of the first. */
function receiptFor<T>(eventId: string): Receipt<T> {
  return {
    eventId,
    idempotencyKey: null,
    digest: createHash('sha256').update(`dials-demo:${eventId}`).digest('hex'),
    answer: (result) => ({ status: 201, body: JSON.stringify(result) }),
  };
}

/** The same "random" choices on every run, from the index. */
const pick = <T>(items: readonly [T, ...T[]], index: number): T => items[((index * 7919) >>> 0) % items.length] ?? items[0];
const sha = (seed: string) => createHash('sha1').update(seed).digest('hex');

function framesFor(language: string, depth: number, seed: number): StackFrame[] {
  const app = {
    ts: { dir: 'src/', ext: '.ts', library: 'node_modules/fastify/lib/' },
    py: { dir: 'payments/', ext: '.py', library: '/usr/lib/python3.12/site-packages/sqlalchemy/orm/' },
    kt: { dir: 'app/src/main/java/com/example/shop/', ext: '.kt', library: 'kotlinx/coroutines/internal/' },
  }[language as 'ts' | 'py' | 'kt'];
  const frames: StackFrame[] = [];
  for (let index = 0; index < depth; index += 1) {
    const inApp = index === 0 || index === depth - 1 || (index + seed) % 3 === 0;
    const name = pick(['handleRequest', 'loadBasket', 'chargeCard', 'renderPage', 'dispatch', 'runMiddleware', 'withTransaction', 'fetchJson', 'resolveRoute'], index + seed);
    frames.push({
      file: inApp
        ? `${app.dir}${pick(['checkout', 'basket', 'payments', 'catalogue', 'accounts'], index + seed)}/${pick(['service', 'routes', 'handlers', 'repository'], index * 3 + seed)}-with-a-rather-long-module-name${app.ext}`
        : `${app.library}${pick(['route', 'hooks', 'session', 'dispatcher', 'reply'], index + seed)}${language === 'py' ? '.py' : language === 'kt' ? '.kt' : '.js'}`,
      function: name,
      line: 10 + ((index * 37 + seed * 11) % 400),
      inApp,
    });
  }
  return frames;
}

const issueTemplates: ReadonlyArray<{ title: string; level: IssueLevel; depth: number; events: number }> = [
  { title: "TypeError: cannot read properties of undefined (reading 'price')", level: 'error', depth: 34, events: 5 },
  { title: 'TimeoutError: the payment provider did not answer within 10 s', level: 'warning', depth: 12, events: 3 },
  { title: 'OutOfMemoryError: the image cache grew past its limit', level: 'fatal', depth: 41, events: 2 },
];

/** Fills (or tops up) the demo organization as `owner`, who must be its owner or able to create it. */
export async function fillDemo(platform: PlatformService, owner: Actor, now: number): Promise<DemoResult> {
  const { organizations, reports } = platform;
  const made = emptyCounts();
  const alreadyThere = emptyCounts();
  const tally = (key: keyof DemoCounts, result: ReportResult): ReportResult & { ok: true } => {
    if (!result.ok) throw new DemoRefused(`${key}: ${result.reason}${'errors' in result ? ` ${JSON.stringify(result.errors)}` : ''}`);
    (result.repeated ? alreadyThere : made)[key] += 1;
    return result;
  };

  let organizationCreated = false;
  const mine = (await organizations.mine(owner)).find((organization) => organization.slug === demoSlug);
  if (mine && mine.role !== 'owner') return { ok: false, reason: 'slugTaken' };
  if (!mine) {
    const created = await organizations.create(owner, { name: 'Demo', slug: demoSlug });
    if (!created.ok) return { ok: false, reason: 'slugTaken' };
    organizationCreated = true;
  }

  try {
    // Hours are counted back from the start of the current hour, so builds line up on the hour marks.
    const base = Math.floor(now / hourMs) * hourMs;
    const pipelineIds: Array<{ id: number; name: string; project: (typeof projects)[number] }> = [];
    for (const project of projects) {
      const createdProject = await organizations.createProject(owner, demoSlug, { name: project.name, slug: project.slug });
      if (createdProject.ok) made.projects += 1;
      else if (createdProject.reason === 'slugTaken') alreadyThere.projects += 1;
      else return { ok: false, reason: 'refused', detail: `project ${project.slug}: ${createdProject.reason}` };
      for (const name of project.pipelines) {
        const createdPipeline = await organizations.createPipeline(owner, demoSlug, project.slug, { name, notifyManualExecutions: name === 'release' });
        if (createdPipeline.ok) made.pipelines += 1;
        else if (createdPipeline.reason === 'nameTaken') alreadyThere.pipelines += 1;
        else return { ok: false, reason: 'refused', detail: `pipeline ${name}: ${createdPipeline.reason}` };
      }
      const listed = await organizations.pipelines(owner, demoSlug, project.slug);
      if (!listed.ok) return { ok: false, reason: 'refused', detail: `pipelines of ${project.slug}` };
      for (const pipeline of listed.pipelines) if ((project.pipelines as readonly string[]).includes(pipeline.name)) pipelineIds.push({ id: pipeline.id, name: pipeline.name, project });
    }

    // A week of builds: three a day on each pipeline, the newest still running.
    const statuses = ['success', 'success', 'success', 'failed', 'success', 'terminated', 'success', 'failed'] as const satisfies readonly BuildStatus[];
    const triggers = ['push', 'push', 'schedule', 'manual', 'push', 'api'] as const satisfies readonly BuildTrigger[];
    for (const [pipelineIndex, pipeline] of pipelineIds.entries()) {
      for (let index = 0; index < 21; index += 1) {
        const startedAt = base - (7 * dayMs) + index * 8 * hourMs + pipelineIndex * 17 * 60_000;
        const newest = index === 20;
        const status: BuildStatus = newest && pipelineIndex === 0 ? 'running' : pick(statuses, index + pipelineIndex);
        const trigger: BuildTrigger = pipeline.name === 'nightly' ? 'schedule' : pick(triggers, index * 5 + pipelineIndex);
        const author = pick(authors, index + pipelineIndex * 3);
        const buildId = `${pipeline.project.slug}-${pipeline.name}-${index + 1}`;
        tally(
          'builds',
          await reports.build(
            owner,
            demoSlug,
            {
              pipelineId: pipeline.id,
              buildId,
              status,
              trigger,
              startedAt: new Date(startedAt),
              finishedAt: status === 'running' ? null : new Date(startedAt + (3 + (index % 9)) * 60_000),
              commit: { sha: sha(buildId), message: pick(messages, index + pipelineIndex), authorName: author.name, authorEmail: author.email },
              startedBy: trigger === 'manual' || trigger === 'api' ? owner.userId : null,
            },
            receiptFor(`demo-build-${buildId}`),
          ),
        );
      }
    }

    // A deploy a day to production for each project, and one to staging every other day.
    for (const [projectIndex, project] of projects.entries()) {
      for (let day = 0; day < 7; day += 1) {
        for (const environment of day % 2 === 0 ? ['staging', 'production'] : ['production']) {
          const finishedAt = base - (7 - day) * dayMs + (10 + projectIndex) * hourMs + (environment === 'staging' ? 0 : hourMs);
          const commits = [0, 1, 2].slice(0, 1 + ((day + projectIndex) % 3)).map((offset) => ({
            sha: sha(`${project.slug}-${day}-${offset}`),
            authorEmail: pick(authors, day + offset + projectIndex).email,
          }));
          tally(
            'deploys',
            await reports.deploy(
              owner,
              demoSlug,
              { project: project.slug, environment, version: `1.${day + 4}.${projectIndex}`, finishedAt: new Date(Math.min(finishedAt, now - hourMs)), commits },
              receiptFor(`demo-deploy-${project.slug}-${environment}-${day}`),
            ),
          );
        }
      }
    }

    // Issues with their events, then what people did about them; one is resolved and comes back.
    let issues = 0;
    for (const [projectIndex, project] of projects.entries()) {
      for (const [templateIndex, template] of issueTemplates.entries()) {
        if ((projectIndex + templateIndex) % 3 === 2 && templateIndex !== 0) continue;
        const fingerprint = `demo-${project.slug}-${templateIndex}`;
        const eventAt = (event: number) => base - (6 - event) * dayMs + (projectIndex * 3 + templateIndex) * hourMs;
        const reportAt = async (at: number, message: string, seed: number, key: string) =>
          tally(
            'errorEvents',
            await reports.errorEvent(
              owner,
              demoSlug,
              { project: project.slug, fingerprint, title: template.title, level: template.level, occurredAt: new Date(at), message, frames: framesFor(project.language, template.depth, seed) },
              receiptFor(`demo-error-${fingerprint}-${key}`),
            ),
          );
        const report = (event: number) =>
          reportAt(Math.min(eventAt(event), now - 60_000), `${template.title} (demo event ${event + 1})`, projectIndex * 5 + templateIndex + event, String(event));
        let answer = await report(0);
        for (let event = 1; event < template.events; event += 1) answer = await report(event);
        issues += 1;
        const issueId = (JSON.parse(answer.answer.body) as { issue: { id: number } }).issue.id;
        const act = async (step: string, activity: Parameters<typeof reports.issueActivity>[2]['activity']) =>
          tally('activity', await reports.issueActivity(owner, demoSlug, { issueId, activity }, receiptFor(`demo-activity-${fingerprint}-${step}`)));
        await act('assigned', { kind: 'assigned', assigneeId: owner.userId });
        await act('comment', { kind: 'comment', comment: 'Seen on the checkout page after the last deploy; looking into it.' });
        if (templateIndex === 1) {
          await act('resolved', { kind: 'resolved' });
          // It happens again: the report reopens it and records the regression.
          await reportAt(now - 30 * 60_000, `${template.title} (again)`, 99, 'regression');
        }
      }
    }
    return { ok: true, summary: { organizationCreated, made, alreadyThere, issues } };
  } catch (error) {
    if (error instanceof DemoRefused) return { ok: false, reason: 'refused', detail: error.message };
    throw error;
  }
}

class DemoRefused extends Error {}
