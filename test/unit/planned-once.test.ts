import { describe, expect, it } from 'vitest';
import { plannedOnce } from '../../src/db/planned-once.ts';

describe('plannedOnce', () => {
  it('writes every bound parameter as +?', () => {
    expect(plannedOnce('select "id" from "a" inner join "b" on "b"."a_id" = "a"."id" where "a"."slug" = ? and "b"."user_id" in (?, ?) limit ?')).toBe(
      'select "id" from "a" inner join "b" on "b"."a_id" = "a"."id" where "a"."slug" = +? and "b"."user_id" in (+?, +?) limit +?',
    );
    expect(plannedOnce('insert into "a" ("x", "y") values (?, ?)')).toBe('insert into "a" ("x", "y") values (+?, +?)');
  });

  it('leaves text in quotes, and LIKE and GLOB patterns, as they are', () => {
    expect(plannedOnce(`select '?' as "q?", \`w?\` from "a" where "b" = ?`)).toBe(`select '?' as "q?", \`w?\` from "a" where "b" = +?`);
    expect(plannedOnce('select 1 from "a" where "b" like ? and "c" GLOB ? and "d" = ?')).toBe('select 1 from "a" where "b" like ? and "c" GLOB ? and "d" = +?');
    expect(plannedOnce("select 'it''s ?' where 1 = ?")).toBe("select 'it''s ?' where 1 = +?");
    expect(plannedOnce('select 1')).toBe('select 1');
  });
});
