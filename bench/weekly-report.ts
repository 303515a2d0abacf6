// node bench/weekly-report.ts [--many]
// One large organization's weekly reports, measured once: 1 000 members in ten zones (one in nine
// leaving a project or two out), a week of 10 000 builds and 50 000 error events over 400 issues in
// 20 projects, and a week before it just as busy. Reads the week once (organizationWeek), derives
// every member's report (forMember), then composes every member's mail (readers of the same report
// and language one after another, as the weekly reports job does); prints the time and the memory
// each step took.
// With --many: 1 000 organizations of 100 members each (100 000 readers), each with 3 projects,
// 50 builds and 250 events a week: every organization read, every reader's report and mail made,
// one organization after the other, as a weekly run would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeDatabase, openDatabase, sqliteOf } from '../src/db/client.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { createWeeklyReportBuilder } from '../src/reports/weekly-builder.ts';
import { weeklyReportLinks } from '../src/reports/paths.ts';

const many = process.argv.includes('--many');
const week = '2026-W10';
const weekStart = Date.parse('2026-03-02T00:00:00Z');
const dayMs = 86_400_000;
const members = 1000;
const buildsPerWeek = 10_000;
const eventsPerWeek = 50_000;
const projectCount = 20;
const issueCount = 400;
const zones = ['UTC', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Kolkata', 'Asia/Tokyo', 'Australia/Sydney', 'Pacific/Kiritimati', 'Asia/Kathmandu'];

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-weekly-bench-'));
const db = openDatabase(path.join(dir, 'dials.db'));
applyMigrations(db);
const sqlite = sqliteOf(db);
const megabytesOf = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const fillMany = sqlite.transaction(() => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const organization = sqlite.prepare('insert into organizations (id, name, slug, created_at) values (?, ?, ?, ?)');
  const project = sqlite.prepare('insert into projects (id, organization_id, name, slug, created_at) values (?, ?, ?, ?, ?)');
  const pipeline = sqlite.prepare('insert into pipelines (id, project_id, name, created_at) values (?, ?, ?, ?)');
  const build = sqlite.prepare(
    `insert into builds (organization_id, pipeline_id, external_id, status, trigger, started_at, finished_at, commit_sha, commit_message, commit_author_name, commit_author_email, updated_at)
     values (?, ?, ?, ?, 'push', ?, ?, 'abc', 'change', 'Ada', 'ada@example.com', ?)`,
  );
  const issue = sqlite.prepare(
    `insert into issues (id, organization_id, project_id, fingerprint, title, level, status, first_seen, last_seen, event_count) values (?, ?, ?, ?, ?, 'error', 'unresolved', ?, ?, 0)`,
  );
  const event = sqlite.prepare(`insert into issue_events (issue_id, occurred_at, received_at, level, message, frames) values (?, ?, ?, 'error', 'it broke', '[]')`);
  for (let org = 1; org <= 1000; org += 1) {
    organization.run(org, `Organization ${org}`, `org-${org}`, now);
    for (let index = 0; index < 3; index += 1) {
      const projectId = org * 3 + index;
      project.run(projectId, org, `Project ${index}`, `project-${index}`, now);
      pipeline.run(projectId, projectId, 'main', now);
      for (let each = 0; each < 5; each += 1) issue.run(projectId * 5 + each, org, projectId, `f${each}`, `Problem ${each}`, weekStart - 30 * dayMs, weekStart + 7 * dayMs);
    }
    for (let index = 0; index < 100; index += 1) {
      const startedAt = weekStart - 7 * dayMs + Math.floor(random() * 14 * dayMs);
      build.run(org, org * 3 + (index % 3), `b${index}`, index % 4 === 0 ? 'failed' : 'success', startedAt, startedAt + 60_000 + Math.floor(random() * 600_000), startedAt);
    }
    for (let index = 0; index < 500; index += 1) {
      const occurredAt = weekStart - 7 * dayMs + Math.floor(random() * 14 * dayMs);
      event.run((org * 3 + (index % 3)) * 5 + (index % 5), occurredAt, occurredAt);
    }
  }
});

const fill = sqlite.transaction(() => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  sqlite.prepare('insert into organizations (id, name, slug, created_at) values (1, ?, ?, ?)').run('Large', 'large', now);
  const project = sqlite.prepare('insert into projects (id, organization_id, name, slug, created_at) values (?, 1, ?, ?, ?)');
  const pipeline = sqlite.prepare('insert into pipelines (id, project_id, name, created_at) values (?, ?, ?, ?)');
  for (let id = 1; id <= projectCount; id += 1) {
    project.run(id, `Project ${id}`, `project-${id}`, now);
    pipeline.run(id * 2 - 1, id, 'main', now);
    pipeline.run(id * 2, id, 'release', now);
  }
  const build = sqlite.prepare(
    `insert into builds (organization_id, pipeline_id, external_id, status, trigger, started_at, finished_at, commit_sha, commit_message, commit_author_name, commit_author_email, updated_at)
     values (1, ?, ?, ?, 'push', ?, ?, 'abc', 'change', 'Ada', 'ada@example.com', ?)`,
  );
  const statuses = ['success', 'success', 'success', 'failed', 'terminated'];
  for (let index = 0; index < buildsPerWeek * 2; index += 1) {
    const startedAt = weekStart - 7 * dayMs + Math.floor(random() * 14 * dayMs);
    const status = index % 997 === 0 ? 'running' : (statuses[Math.floor(random() * statuses.length)] ?? 'success');
    const finishedAt = status === 'running' ? null : startedAt + 60_000 + Math.floor(random() * 1_800_000);
    build.run(1 + Math.floor(random() * projectCount * 2), `b${index}`, status, startedAt, finishedAt, finishedAt ?? startedAt);
  }
  const issue = sqlite.prepare(
    `insert into issues (id, organization_id, project_id, fingerprint, title, level, status, first_seen, last_seen, event_count) values (?, 1, ?, ?, ?, ?, 'unresolved', ?, ?, 0)`,
  );
  const levels = ['error', 'error', 'warning', 'fatal', 'info'];
  for (let id = 1; id <= issueCount; id += 1) issue.run(id, 1 + (id % projectCount), `f${id}`, `Problem ${id}`, levels[id % levels.length], weekStart - 30 * dayMs + id * 60_000, weekStart + 7 * dayMs);
  const event = sqlite.prepare(`insert into issue_events (issue_id, occurred_at, received_at, level, message, frames) values (?, ?, ?, ?, 'it broke', '[]')`);
  for (let index = 0; index < eventsPerWeek * 2; index += 1) {
    // Busy issues are busier: a skewed pick.
    const issueId = 1 + Math.floor(random() ** 2 * issueCount);
    const occurredAt = weekStart - 7 * dayMs + Math.floor(random() * 14 * dayMs);
    event.run(issueId, occurredAt, occurredAt, levels[Math.floor(random() * levels.length)]);
  }
});
if (many) {
  const filling = performance.now();
  fillMany();
  console.log(`filled in ${((performance.now() - filling) / 1000).toFixed(1)} s: 1 000 organizations, 100 000 builds and 500 000 events over two weeks`);
  const builder = createWeeklyReportBuilder(db);
  const publicUrl = new URL('https://dials.example');
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  let peak = heapBefore;
  let peakRss = rssBefore;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let mails = 0;
  for (let org = 1; org <= 1000; org += 1) {
    const organizationWeek = await builder.organizationWeek(org, week);
    if (!organizationWeek) throw new Error(`no organization ${org}`);
    // As the weekly reports job hands readers over: those of the same report and language one after another.
    const reportIndexes = new Map<object, number>();
    const inTurn = Array.from({ length: 100 }, (_, member) => {
      const timeZone = zones[(org + member) % zones.length] ?? 'UTC';
      const report = organizationWeek.forMember({ timeZone, excludedProjectIds: member % 9 === 4 ? [org * 3 + (member % 3)] : [] });
      if (report && !reportIndexes.has(report)) reportIndexes.set(report, reportIndexes.size);
      return { member, timeZone, report, turn: report ? (reportIndexes.get(report) ?? 0) * 3 + (member % 3) : 0 };
    }).sort((a, b) => a.turn - b.turn || a.member - b.member);
    for (const { member, timeZone, report } of inTurn) {
      if (!report) continue;
      const language = (['en', 'de', 'fr'] as const)[member % 3] ?? 'en';
      builder.mail(
        report,
        { address: `m${member}@org${org}.example`, name: `Member ${member}`, preferences: { language, timeZone, clock24h: member % 2 === 0, dateFormat: 'iso' } },
        weeklyReportLinks({ publicUrl, organization: report.organization, week, unsubscribeToken: `token-${org}-${member}`, language }),
      );
      mails += 1;
    }
    if (org % 20 === 0) {
      const usage = process.memoryUsage();
      peak = Math.max(peak, usage.heapUsed);
      peakRss = Math.max(peakRss, usage.rss);
    }
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(`1 000 organizations read, ${mails} reports and mails made: ${(wallMs / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU; heap peak ${megabytesOf(peak)} (+${megabytesOf(peak - heapBefore)}), rss ${megabytesOf(rssBefore)} before, peak ${megabytesOf(peakRss)}`);
  (globalThis as { gc?: () => void }).gc?.();
  console.log(`heap after a collection: ${megabytesOf(process.memoryUsage().heapUsed)}`);
  closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

const filling = performance.now();
fill();
console.log(`filled in ${((performance.now() - filling) / 1000).toFixed(1)} s: ${buildsPerWeek * 2} builds, ${eventsPerWeek * 2} events over two weeks`);

const readers = Array.from({ length: members }, (_, index) => ({
  timeZone: zones[index % zones.length] ?? 'UTC',
  excludedProjectIds: index % 9 === 4 ? [1 + (index % projectCount), 1 + ((index * 7) % projectCount)] : [],
}));

const builder = createWeeklyReportBuilder(db);
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
(globalThis as { gc?: () => void }).gc?.();
const before = process.memoryUsage();
let peakHeap = before.heapUsed;
const sample = () => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
};

const reading = performance.now();
const organizationWeek = await builder.organizationWeek(1, week);
const readMs = performance.now() - reading;
sample();
if (!organizationWeek) throw new Error('no week');

const deriving = performance.now();
let reports = 0;
for (const reader of readers) if (organizationWeek.forMember(reader)) reports += 1;
const deriveMs = performance.now() - deriving;
sample();

const composing = performance.now();
let bytes = 0;
const publicUrl = new URL('https://dials.example');
// As the weekly reports job hands readers over: those of the same report and language one after another.
const reportIndexes = new Map<object, number>();
const inTurn = readers
  .map((reader, index) => {
    const report = organizationWeek.forMember(reader);
    if (report && !reportIndexes.has(report)) reportIndexes.set(report, reportIndexes.size);
    return { reader, index, report, turn: report ? (reportIndexes.get(report) ?? 0) * 3 + (index % 3) : 0 };
  })
  .sort((a, b) => a.turn - b.turn || a.index - b.index);
for (const { reader, index, report } of inTurn) {
  if (!report) continue;
  const mail = builder.mail(
    report,
    { address: `member${index}@example.com`, name: `Member ${index}`, preferences: { language: (['en', 'de', 'fr'] as const)[index % 3] ?? 'en', timeZone: reader.timeZone, clock24h: true, dateFormat: 'iso' } },
    weeklyReportLinks({ publicUrl, organization: report.organization, week, unsubscribeToken: `token-${index}`, language: 'en' }),
  );
  bytes += mail.html.length + mail.text.length;
  if (index % 100 === 0) sample();
}
const composeMs = performance.now() - composing;
sample();

const sampleReport = organizationWeek.forMember({ timeZone: 'UTC', excludedProjectIds: [] });
console.log(`organizationWeek (six queries): ${readMs.toFixed(0)} ms`);
console.log(`forMember × ${members} (${reports} reports, distinct zone/exclusion keys: ${new Set(readers.map((r) => `${r.timeZone}|${r.excludedProjectIds.join(',')}`)).size}): ${deriveMs.toFixed(0)} ms`);
console.log(`mail × ${reports}: ${composeMs.toFixed(0)} ms (${megabytes(bytes)} of HTML and text made, not kept)`);
console.log(`heap before ${megabytes(before.heapUsed)}, peak ${megabytes(peakHeap)} (+${megabytes(peakHeap - before.heapUsed)}); rss now ${megabytes(process.memoryUsage().rss)}`);
console.log(`UTC report: ${sampleReport?.builds.total.runs} builds, ${sampleReport?.issues.events} events`);
closeDatabase(db);
fs.rmSync(dir, { recursive: true, force: true });
