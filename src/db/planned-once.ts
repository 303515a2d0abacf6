/**
 * The SQL text a statement is compiled from, with each bound parameter written `+?` instead of `?`.
 *
 * SQLite looks at the value bound to a parameter while planning some statements (a join, a
 * subquery in WHERE) and then plans the statement again every time a new value is bound: on this
 * machine a two-table lookup cost 7–20 µs instead of 1 µs, on every request that ran one. The
 * switch that stops it (SQLITE_DBCONFIG_ENABLE_QPSG) is not reachable through better-sqlite3. A
 * unary `+` is a no-op on any value (SQLite's documentation) and leaves the parameter without
 * affinity, as it was, but the planner no longer reads its value: indexes are still used, and the
 * statement is planned once. `LIKE`/`GLOB` patterns keep their bare parameter, since their prefix
 * is what lets an index be used. Text inside quotes is left as it is.
 */
export function plannedOnce(sql: string): string {
  if (!sql.includes('?')) return sql;
  let out = '';
  let quote: string | null = null;
  for (let index = 0; index < sql.length; index++) {
    const char = sql.charAt(index);
    if (quote !== null) {
      if (char === quote) quote = null;
      out += char;
      continue;
    }
    if (char === "'" || char === '"' || char === '`') quote = char;
    else if (char === '?' && !/\b(?:like|glob)\s*$/i.test(out)) {
      out += '+?';
      continue;
    }
    out += char;
  }
  return out;
}
