import { describe, expect, it } from 'vitest';
import { dueReport, localHourInstant, weekStartIn } from '../../src/jobs/weekly-due.ts';
import { defaultReportTime, isReportTime, type ReportTime } from '../../src/settings/notifications/report-time.ts';

/** When a weekly report is due, in the reader's own zone, across daylight-saving changes and year ends. */

const at = (iso: string) => new Date(iso);
const monday9: ReportTime = defaultReportTime;

/** Every instant, an hour apart, from `from` to `to`, with the week due at each. */
function dueWeeksHourly(from: string, to: string, zone: string, time: ReportTime) {
  const seen: Array<{ at: string; week: string | null }> = [];
  for (let instant = Date.parse(from); instant <= Date.parse(to); instant += 15 * 60_000) {
    seen.push({ at: new Date(instant).toISOString(), week: dueReport(new Date(instant), zone, time)?.week ?? null });
  }
  return seen;
}

/** The instants at which a week first becomes due, stepping through a stretch of time. */
function firstDue(from: string, to: string, zone: string, time: ReportTime) {
  const starts: Array<{ week: string; at: string }> = [];
  let last: string | null = null;
  for (const step of dueWeeksHourly(from, to, zone, time)) {
    if (step.week !== null && step.week !== last) starts.push({ week: step.week, at: step.at });
    last = step.week;
  }
  return starts;
}

describe('the due time of a weekly report', () => {
  it('is the chosen weekday and hour of the next week, in the reader zone, and not a minute before', () => {
    // 2026-11-30 is a Monday; Berlin is UTC+1 in winter.
    expect(dueReport(at('2026-11-30T07:59:59Z'), 'Europe/Berlin', monday9)).toBeNull();
    expect(dueReport(at('2026-11-30T08:00:00Z'), 'Europe/Berlin', monday9)).toEqual({
      week: '2026-W48',
      dueFrom: at('2026-11-30T08:00:00Z'),
      dueUntil: at('2026-12-06T23:00:00Z'),
    });
    // The same instant in New York is still Monday 03:00: not yet.
    expect(dueReport(at('2026-11-30T08:00:00Z'), 'America/New_York', monday9)).toBeNull();
    expect(dueReport(at('2026-11-30T14:00:00Z'), 'America/New_York', monday9)?.week).toBe('2026-W48');
  });

  it('stays due to the end of that week, then the next week is not due until its own hour: last week is never sent late', () => {
    const friday17: ReportTime = { weekday: 5, hour: 17 };
    expect(dueReport(at('2026-12-04T15:59:00Z'), 'Europe/Berlin', friday17)).toBeNull();
    expect(dueReport(at('2026-12-04T16:00:00Z'), 'Europe/Berlin', friday17)?.week).toBe('2026-W48');
    expect(dueReport(at('2026-12-06T22:59:59Z'), 'Europe/Berlin', friday17)?.week).toBe('2026-W48');
    // Monday 00:00 in Berlin: W48's report is gone for good and W49's waits for Friday.
    expect(dueReport(at('2026-12-06T23:00:00Z'), 'Europe/Berlin', friday17)).toBeNull();
    expect(dueReport(at('2026-12-10T12:00:00Z'), 'Europe/Berlin', friday17)).toBeNull();
    expect(dueReport(at('2026-12-11T16:00:00Z'), 'Europe/Berlin', friday17)?.week).toBe('2026-W49');
  });

  it('in Berlin in March (clocks forward) and October (clocks back): one week at a time, at 09:00 local', () => {
    const march = firstDue('2026-03-16T00:00:00Z', '2026-04-07T00:00:00Z', 'Europe/Berlin', monday9);
    expect(march).toEqual([
      { week: '2026-W11', at: '2026-03-16T08:00:00.000Z' },
      { week: '2026-W12', at: '2026-03-23T08:00:00.000Z' },
      { week: '2026-W13', at: '2026-03-30T07:00:00.000Z' },
      { week: '2026-W14', at: '2026-04-06T07:00:00.000Z' },
    ]);
    const october = firstDue('2026-10-19T00:00:00Z', '2026-11-03T00:00:00Z', 'Europe/Berlin', monday9);
    expect(october).toEqual([
      { week: '2026-W42', at: '2026-10-19T07:00:00.000Z' },
      { week: '2026-W43', at: '2026-10-26T08:00:00.000Z' },
      { week: '2026-W44', at: '2026-11-02T08:00:00.000Z' },
    ]);
  });

  it('on a Sunday at 02:00, the hour the clocks skip or repeat: the first instant after the gap, the first of the two', () => {
    const sunday2: ReportTime = { weekday: 7, hour: 2 };
    // 2026-03-29: Berlin goes from 02:00 CET straight to 03:00 CEST (01:00 UTC).
    expect(localHourInstant('Europe/Berlin', { year: 2026, month: 3, day: 29 }, 2)).toEqual(at('2026-03-29T01:00:00Z'));
    expect(dueReport(at('2026-03-29T00:59:59Z'), 'Europe/Berlin', sunday2)).toBeNull();
    expect(dueReport(at('2026-03-29T01:00:00Z'), 'Europe/Berlin', sunday2)?.week).toBe('2026-W12');
    // 2026-10-25: 02:00 happens at 00:00 UTC (CEST) and again at 01:00 UTC (CET); the first counts.
    expect(localHourInstant('Europe/Berlin', { year: 2026, month: 10, day: 25 }, 2)).toEqual(at('2026-10-25T00:00:00Z'));
    expect(dueReport(at('2026-10-24T23:59:59Z'), 'Europe/Berlin', sunday2)).toBeNull();
    expect(dueReport(at('2026-10-25T00:00:00Z'), 'Europe/Berlin', sunday2)?.week).toBe('2026-W42');
    const weeks = firstDue('2026-10-10T00:00:00Z', '2026-11-03T00:00:00Z', 'Europe/Berlin', sunday2).map((step) => step.week);
    expect(weeks).toEqual(['2026-W40', '2026-W41', '2026-W42', '2026-W43']);
  });

  it('in New York, whose clocks change on other Sundays and at 02:00 local', () => {
    const sunday2: ReportTime = { weekday: 7, hour: 2 };
    // 2026-03-08: 02:00 EST does not exist; 03:00 EDT is 07:00 UTC.
    expect(localHourInstant('America/New_York', { year: 2026, month: 3, day: 8 }, 2)).toEqual(at('2026-03-08T07:00:00Z'));
    // 2026-11-01: 01:00 happens at 05:00 UTC (EDT) and at 06:00 UTC (EST).
    expect(localHourInstant('America/New_York', { year: 2026, month: 11, day: 1 }, 1)).toEqual(at('2026-11-01T05:00:00Z'));
    expect(firstDue('2026-02-28T00:00:00Z', '2026-03-17T00:00:00Z', 'America/New_York', sunday2)).toEqual([
      { week: '2026-W08', at: '2026-03-01T07:00:00.000Z' },
      { week: '2026-W09', at: '2026-03-08T07:00:00.000Z' },
      { week: '2026-W10', at: '2026-03-15T06:00:00.000Z' },
    ]);
    expect(firstDue('2026-10-24T00:00:00Z', '2026-11-10T00:00:00Z', 'America/New_York', monday9)).toEqual([
      // Already due when the stretch begins (Saturday of W43).
      { week: '2026-W42', at: '2026-10-24T00:00:00.000Z' },
      { week: '2026-W43', at: '2026-10-26T13:00:00.000Z' },
      { week: '2026-W44', at: '2026-11-02T14:00:00.000Z' },
      { week: '2026-W45', at: '2026-11-09T14:00:00.000Z' },
    ]);
  });

  it('in a zone at +05:45 (Kathmandu), at a quarter past the UTC hour', () => {
    expect(dueReport(at('2026-11-30T03:14:59Z'), 'Asia/Kathmandu', monday9)).toBeNull();
    expect(dueReport(at('2026-11-30T03:15:00Z'), 'Asia/Kathmandu', monday9)?.week).toBe('2026-W48');
  });

  it('names weeks by ISO 8601 around year ends: 2026 has a week 53, 2027 starts on Monday 4 January', () => {
    // 2027-01-04 is the Monday of 2027-W01; the week before it is 2026-W53 (28 Dec to 3 Jan).
    expect(dueReport(at('2027-01-04T09:00:00Z'), 'UTC', monday9)?.week).toBe('2026-W53');
    expect(dueReport(at('2027-01-11T09:00:00Z'), 'UTC', monday9)?.week).toBe('2027-W01');
    // 2026-W01 began on Monday 29 December 2025; its report is due on 5 January 2026.
    expect(dueReport(at('2026-01-05T09:00:00Z'), 'UTC', monday9)?.week).toBe('2026-W01');
    expect(dueReport(at('2026-01-01T12:00:00Z'), 'UTC', { weekday: 4, hour: 9 })?.week).toBe('2025-W52');
    expect(weekStartIn('2026-W53', 'UTC')).toEqual(at('2026-12-28T00:00:00Z'));
    expect(weekStartIn('2026-W01', 'Europe/Berlin')).toEqual(at('2025-12-28T23:00:00Z'));
  });

  it('counts in UTC for a zone it does not know', () => {
    expect(dueReport(at('2026-11-30T09:00:00Z'), 'Mars/Olympus_Mons', monday9)?.week).toBe('2026-W48');
    expect(dueReport(at('2026-11-30T08:59:00Z'), 'Mars/Olympus_Mons', monday9)).toBeNull();
  });

  it('knows a weekday and hour from anything else', () => {
    expect(isReportTime({ weekday: 7, hour: 23 })).toBe(true);
    expect(isReportTime({ weekday: 0, hour: 9 })).toBe(false);
    expect(isReportTime({ weekday: 1, hour: 24 })).toBe(false);
    expect(isReportTime({ weekday: 1.5, hour: 9 })).toBe(false);
  });
});
