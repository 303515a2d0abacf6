import { z } from 'zod';

/** An error to show next to a field: a translation key and the values it mentions. */
export interface FieldError {
  key: string;
  values?: Record<string, string | number>;
}
export type FieldErrors = Record<string, FieldError>;

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** The key under which errors that belong to no single field are reported. */
export const formLevel = '_form';

const acceptedFields = new WeakMap<z.ZodObject, ReadonlySet<string>>();

// Worked out once per schema, not on each request.
function acceptedFieldsOf(schema: z.ZodObject): ReadonlySet<string> {
  let fields = acceptedFields.get(schema);
  if (!fields) {
    fields = new Set(Object.keys(schema.shape));
    acceptedFields.set(schema, fields);
  }
  return fields;
}

/**
 * Validates a posted form against a schema that lists exactly the accepted fields.
 * A field sent twice, a field the form does not have, or anything that is not a plain
 * string is refused, and the whole form is left unsaved.
 */
export function parseForm<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>, body: unknown): FormResult<z.infer<z.ZodObject<Shape>>> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, errors: { [formLevel]: { key: 'errors.form.unreadable' } } };
  }
  const errors: FieldErrors = {};
  const accepted = acceptedFieldsOf(schema);
  for (const field of Reflect.ownKeys(body)) {
    const name = String(field);
    if (!accepted.has(name)) {
      errors[formLevel] = { key: 'errors.form.unexpectedField', values: { field: name.slice(0, 40) } };
      continue;
    }
    const value = (body as Record<string, unknown>)[name];
    if (Array.isArray(value)) errors[name] = { key: 'errors.form.repeated' };
    else if (typeof value !== 'string') errors[name] = { key: 'errors.form.unreadable' };
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  // Every field was checked against the schema's above, so zod's own check of unknown keys (.strict()) would find nothing.
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, data: parsed.data };
  for (const issue of parsed.error.issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : formLevel;
    errors[field] ??= { key: issue.message.startsWith('errors.') ? issue.message : 'errors.form.invalidValue' };
  }
  return { ok: false, errors };
}

/** A form that posts nothing but its CSRF token (which is taken out before the form is read): a button. */
export const emptyForm = z.object({});

/** A checkbox posts "on" when ticked and nothing at all when not. */
export const checkbox = z
  .literal('on', { error: 'errors.form.invalidValue' })
  .optional()
  .transform((value) => value === 'on');

/** The text a person typed, to put back in the form; never a password or a code. */
export function pickStrings(body: unknown, fields: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  if (!body || typeof body !== 'object') return values;
  for (const field of fields) {
    const value = (body as Record<string, unknown>)[field];
    if (typeof value === 'string') values[field] = value.slice(0, 300);
  }
  return values;
}

/** A `?page=N` query of a paged list: a page number from 1; anything else reads as the first page. */
export const pageNumberQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});
