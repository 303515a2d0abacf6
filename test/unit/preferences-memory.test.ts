import { describe, expect, it } from 'vitest';
import { createPreferencesMemory } from '../../src/settings/account/preferences-memory.ts';
import type { StoredPreferences } from '../../src/settings/account/service.ts';

const preferences = (timeZone: string): StoredPreferences => ({
  stackTraceOrder: 'default',
  language: 'en',
  timeZone,
  clock24h: false,
  dateFormat: 'us',
  theme: 'system',
  avatarType: 'initials',
  avatarVersion: 0,
});

describe('the memory of preferences', () => {
  it('remembers an answer, frozen, until the person is forgotten', () => {
    const memory = createPreferencesMemory<StoredPreferences>();
    memory.answer(memory.ask(), 1, preferences('UTC'));
    expect(memory.get(1)?.timeZone).toBe('UTC');
    expect(Object.isFrozen(memory.get(1))).toBe(true);
    memory.forget(1);
    expect(memory.get(1)).toBeUndefined();
  });

  it('does not keep an answer read before a write that ended meanwhile', async () => {
    const memory = createPreferencesMemory<StoredPreferences>();
    const asked = memory.ask();
    await memory.around(1, async () => {});
    expect(memory.answer(asked, 1, preferences('UTC')).timeZone).toBe('UTC');
    expect(memory.get(1)).toBeUndefined();
  });

  it('does not keep an answer read while a write was waiting', async () => {
    const memory = createPreferencesMemory<StoredPreferences>();
    let readDuringWrite: number | null = null;
    await memory.around(1, async () => {
      readDuringWrite = memory.ask();
      memory.answer(readDuringWrite, 1, preferences('UTC'));
    });
    expect(memory.get(1)).toBeUndefined();
  });
});
