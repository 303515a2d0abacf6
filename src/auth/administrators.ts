import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { users } from './tables.ts';

/** The instance's first administrator (the one made earliest), or null while there is none: for Dials' own commands. */
export async function firstAdministrator(db: Db): Promise<{ id: number; email: string; name: string } | null> {
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.isAdmin, true))
    .orderBy(asc(users.id))
    .limit(1);
  return row ?? null;
}
