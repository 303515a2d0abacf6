import { z } from 'zod';
import { checkbox } from '../../web/form.ts';
import { emailAddress } from '../../web/form-fields.ts';
import { platformName, platformSlug } from '../fields.ts';
import { buildStatuses, issueStatuses, organizationRoles } from '../tables.ts';

/** The values the organization pages accept, each field listed (DESIGN.md rule 4); errors are translation keys. */

const rowId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A name as the platform takes it (fields.ts), with the page's message when it is not one. */
const nameField = z.string().transform((value, context) => {
  const parsed = platformName.safeParse(value);
  if (parsed.success) return parsed.data;
  context.addIssue({ code: 'custom', message: value.trim() === '' ? 'errors.orgs.nameRequired' : 'errors.orgs.nameInvalid' });
  return z.NEVER;
});

export const organizationParams = z.object({ slug: platformSlug });
export const memberParams = z.object({ slug: platformSlug, userId: rowId });
export const projectParams = z.object({ slug: platformSlug, project: platformSlug });
export const pipelineParams = z.object({ slug: platformSlug, pipelineId: rowId });
export const issueParams = z.object({ slug: platformSlug, id: rowId });
export const invitationParams = z.object({ slug: platformSlug, id: rowId });
export const receivedInvitationParams = z.object({ id: rowId });

/** Organizations and projects: a name, and a slug that may be left empty to be made from the name. */
export const nameAndSlugForm = z.object({ name: nameField, slug: z.string().max(100, { error: 'errors.orgs.slugInvalid' }).optional() });
export const pipelineForm = z.object({ name: nameField });
export const inviteForm = z.object({ email: emailAddress, role: z.enum(organizationRoles, { error: 'errors.orgs.role' }) });
export const roleForm = z.object({ role: z.enum(organizationRoles, { error: 'errors.orgs.role' }) });
export const pipelineFlagForm = z.object({ notifyManualExecutions: checkbox });

const optional = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const pageNumber = z.coerce.number().int().min(1).max(10_000).catch(1).default(1);

/** The builds page's filter, read from its GET form: anything unreadable is no filter. */
export const buildsQuery = z.object({
  pipeline: optional(rowId),
  status: optional(z.enum(buildStatuses)),
  page: pageNumber,
});

/** The organization page after inviting: which invitation to confirm (anything else: none). */
export const invitedQuery = z.object({ invited: optional(rowId) }).catch({ invited: undefined });

export const issuesQuery = z.object({
  status: optional(z.enum(issueStatuses)),
  page: pageNumber,
});

export const perPage = 25;
