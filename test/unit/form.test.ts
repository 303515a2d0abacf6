import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkbox, parseForm } from '../../src/web/form.ts';

const schema = z.object({ name: z.string().min(1, { error: 'errors.name.required' }), clock: checkbox });

describe('parseForm', () => {
  it('accepts exactly the listed fields', () => {
    expect(parseForm(schema, { name: 'Ada', clock: 'on' })).toEqual({ ok: true, data: { name: 'Ada', clock: true } });
    expect(parseForm(schema, { name: 'Ada' })).toEqual({ ok: true, data: { name: 'Ada', clock: false } });
  });

  it('refuses unknown fields, repeated fields and non-strings', () => {
    expect(parseForm(schema, { name: 'Ada', role: 'admin' })).toMatchObject({ ok: false, errors: { _form: { key: 'errors.form.unexpectedField', values: { field: 'role' } } } });
    expect(parseForm(schema, { name: ['Ada', 'Eve'] })).toMatchObject({ ok: false, errors: { name: { key: 'errors.form.repeated' } } });
    expect(parseForm(schema, { name: { nested: 'x' } })).toMatchObject({ ok: false, errors: { name: { key: 'errors.form.unreadable' } } });
    expect(parseForm(schema, JSON.parse('{"name":"Ada","__proto__":{"x":1}}'))).toMatchObject({ ok: false });
    expect(parseForm(schema, null)).toMatchObject({ ok: false });
  });

  it('reports the schema\'s own message keys', () => {
    expect(parseForm(schema, { name: '' })).toMatchObject({ ok: false, errors: { name: { key: 'errors.name.required' } } });
    expect(parseForm(schema, { name: 'Ada', clock: 'yes' })).toMatchObject({ ok: false, errors: { clock: { key: 'errors.form.invalidValue' } } });
  });
});
