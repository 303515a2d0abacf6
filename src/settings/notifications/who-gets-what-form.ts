import { z } from 'zod';
import { askedBuildStatuses, askedBuildTriggers, questionKinds, type DescribedEvent, type Doer, type QuestionKind } from '../../notify/who-gets-what.ts';
import type { FieldErrors } from '../../web/form.ts';

/**
 * The "who gets what" question, as its GET form sends it (so an answer has an address). Every
 * field is listed; anything else is dropped. A field that takes one value and comes twice, an
 * unknown value, or an id that is not a number is refused next to the field.
 */

/** A row's id as digits alone ("1e3", " 7", "0x10" are not ids). */
const rowId = z
  .string()
  .regex(/^[1-9][0-9]{0,14}$/)
  .transform(Number);
/** A person who did it: nobody (""), someone else ("other"), or a member by id. */
const doerField = z.union([z.literal(''), z.literal('other'), rowId]);
const address = z.string().trim().max(254).pipe(z.email());

/** At most this many commit authors, picked or typed: more says nothing new and costs. */
export const maxAuthors = 20;
export const maxSubscribers = 500;

/** The fields that take one value each, and those that take several. */
type SingleField = 'org' | 'shown' | 'kind' | 'pipeline' | 'project' | 'status' | 'trigger' | 'startedBy' | 'typed' | 'actor';
type RepeatableField = 'authors' | 'subscribed';

/** What the form shows back: every field as sent (or its default), strings only. */
export interface QuestionValues {
  org: string;
  /** The organization the form was shown for: when another is chosen, the old one's projects and people are left behind. */
  shown: string;
  kind: QuestionKind;
  pipeline: string;
  project: string;
  status: string;
  trigger: string;
  startedBy: string;
  typed: string;
  actor: string;
  authors: string[];
  subscribed: string[];
}

export type ParsedQuestion =
  | { asked: false; values: QuestionValues }
  | { asked: true; values: QuestionValues; errors: FieldErrors }
  | { asked: true; values: QuestionValues; errors: null; event: DescribedEvent };

const errorKey = (why: string) => ({ key: `errors.whoGetsWhat.${why}` });

/** Reads the query: `asked` once a kind is given (the form was sent), with errors next to fields or a way to make the event. */
export function parseQuestion(query: unknown): ParsedQuestion {
  const raw = query !== null && typeof query === 'object' ? (query as Record<string, unknown>) : {};
  const errors: FieldErrors = {};
  const text = (field: SingleField): string => {
    const value = Object.hasOwn(raw, field) ? raw[field] : undefined;
    if (value === undefined) return '';
    if (typeof value !== 'string') {
      errors[field] = errorKey('repeated');
      return '';
    }
    return value.slice(0, 500);
  };
  const list = (field: RepeatableField, max: number): string[] => {
    const value = Object.hasOwn(raw, field) ? raw[field] : undefined;
    const items = value === undefined ? [] : Array.isArray(value) ? value : [value];
    if (items.length > max || items.some((item) => typeof item !== 'string')) {
      errors[field] = errorKey(field === 'authors' ? 'tooMany' : 'tooManyPeople');
      return [];
    }
    return (items as string[]).map((item) => item.slice(0, 254));
  };

  const kindText = text('kind');
  const values: QuestionValues = {
    org: text('org'),
    shown: text('shown'),
    kind: (questionKinds as readonly string[]).includes(kindText) ? (kindText as QuestionKind) : 'build',
    pipeline: text('pipeline'),
    project: text('project'),
    status: text('status') || 'failed',
    trigger: text('trigger') || 'push',
    startedBy: text('startedBy'),
    typed: text('typed'),
    actor: text('actor'),
    authors: list('authors', maxAuthors),
    subscribed: list('subscribed', maxSubscribers),
  };
  if (values.shown !== '' && values.org !== '' && values.shown !== values.org) {
    Object.assign(values, { pipeline: '', project: '', startedBy: '', actor: '', authors: [], subscribed: [] });
  }
  if (kindText === '' && !errors.kind) return { asked: false, values };
  if (!errors.kind && !(questionKinds as readonly string[]).includes(kindText)) errors.kind = errorKey('unknownValue');

  const id = (field: 'pipeline' | 'project'): number | null => {
    if (values[field] === '') return null;
    const parsed = rowId.safeParse(values[field]);
    if (!parsed.success) errors[field] = errorKey('notInOrganization');
    return parsed.success ? parsed.data : null;
  };
  const doer = (field: 'startedBy' | 'actor'): Doer => {
    const parsed = doerField.safeParse(values[field]);
    if (!parsed.success) {
      errors[field] = errorKey('notAMember');
      return null;
    }
    if (parsed.data === '') return null;
    return parsed.data === 'other' ? 'someoneElse' : { userId: parsed.data };
  };

  let event: DescribedEvent | null = null;
  switch (values.kind) {
    case 'build': {
      const pipelineId = id('pipeline');
      const status = z.enum(askedBuildStatuses).safeParse(values.status);
      const trigger = z.enum(askedBuildTriggers).safeParse(values.trigger);
      if (!status.success) errors.status = errorKey('unknownValue');
      if (!trigger.success) errors.trigger = errorKey('unknownValue');
      const startedBy = doer('startedBy');
      if (status.success && trigger.success) event = { kind: 'build', pipelineId, status: status.data, trigger: trigger.data, startedBy };
      break;
    }
    case 'deploy': {
      const projectId = id('project');
      const typed = values.typed
        .split(/[\s,;]+/)
        .map((item) => item.trim())
        .filter((item) => item !== '');
      if (typed.length + values.authors.length > maxAuthors) errors.typed = errorKey('tooMany');
      else if (!typed.every((item) => address.safeParse(item).success)) errors.typed = errorKey('badAddress');
      const emails = [...values.authors, ...typed];
      event = { kind: 'deploy', projectId, commitAuthorEmails: emails };
      break;
    }
    case 'issueAlert': {
      const projectId = id('project');
      event = { kind: 'issueAlert', projectId };
      break;
    }
    case 'workflow': {
      const projectId = id('project');
      const actor = doer('actor');
      const subscribers = values.subscribed.map((item) => rowId.safeParse(item));
      if (subscribers.some((parsed) => !parsed.success)) errors.subscribed = errorKey('notAMember');
      const subscriberIds = subscribers.flatMap((parsed) => (parsed.success ? [parsed.data] : []));
      event = { kind: 'workflow', projectId, actor, subscriberIds };
      break;
    }
  }
  if (Object.keys(errors).length > 0 || event === null) return { asked: true, values, errors };
  return { asked: true, values, errors: null, event };
}
