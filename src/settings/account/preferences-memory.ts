const capacity = 10_000;

/**
 * The preferences of recently seen people, so that a request's session lookup does not read them
 * again every time: every page and auto-save needs them. Only the account service writes them, and
 * it forgets a person's entry before each write; Dials is the one process that holds the database.
 *
 * A read that was asked before a write, and answers after it, must not store the older answer:
 * `ask` notes the moment, and `answer` stores only if nothing was forgotten since.
 */
export function createPreferencesMemory<Preferences extends object>() {
  const entries = new Map<number, Readonly<Preferences>>();
  let forgotten = 0;
  return {
    get(userId: number): Readonly<Preferences> | undefined {
      return entries.get(userId);
    },
    ask(): number {
      return forgotten;
    },
    answer(asked: number, userId: number, preferences: Preferences): Preferences {
      if (asked === forgotten) {
        // The oldest entry gives way: a Map iterates in the order entries were added.
        if (entries.size >= capacity) entries.delete(entries.keys().next().value as number);
        entries.set(userId, Object.freeze(preferences));
      }
      return preferences;
    },
    forget(userId: number): void {
      forgotten++;
      entries.delete(userId);
    },
    /** Keeps what a person's preferences are now, when the caller knows it for certain (see the account service). */
    set(userId: number, preferences: Preferences): void {
      if (!entries.has(userId) && entries.size >= capacity) entries.delete(entries.keys().next().value as number);
      entries.set(userId, Object.freeze(preferences));
    },
    /** Runs a write of a person's preferences, forgetting them before and after it (a read may slip in between while it waits). */
    async around<T>(userId: number, write: () => Promise<T>): Promise<T> {
      this.forget(userId);
      try {
        return await write();
      } finally {
        this.forget(userId);
      }
    },
  };
}
