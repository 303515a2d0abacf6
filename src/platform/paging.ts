import { defaultPerPage, maxPerPage } from './fields.ts';
import type { Page, PageRequest } from './types.ts';

/** The page asked for, within bounds, and the rows to read: one more than shown tells whether a next page exists. */
export function pageBounds(request: PageRequest = {}): { page: number; perPage: number; limit: number; offset: number } {
  const page = Math.max(1, Math.min(Math.trunc(request.page ?? 1), 10_000));
  const perPage = Math.max(1, Math.min(Math.trunc(request.perPage ?? defaultPerPage), maxPerPage));
  return { page, perPage, limit: perPage + 1, offset: (page - 1) * perPage };
}

export function pageOf<T>(rows: T[], bounds: { page: number; perPage: number }): Page<T> {
  return { items: rows.slice(0, bounds.perPage), page: bounds.page, perPage: bounds.perPage, hasNext: rows.length > bounds.perPage };
}
