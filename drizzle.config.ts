import { defineConfig } from 'drizzle-kit';

// Each part of Dials keeps its tables next to its code (`tables.ts`); db/ imports none of them.
// Dials uses no relational queries (`db.query.*`), so the client needs no schema index at all.
export default defineConfig({
  dialect: 'sqlite',
  schema: ['./src/**/tables.ts', './src/db/rate-limit-table.ts'],
  out: './migrations',
});
