import { z } from 'zod';
import { emailAddress, personName } from '../web/form-fields.ts';
import { maximumPasswordLength } from './password-rules.ts';

export const signupForm = z.object({
  name: personName,
  email: emailAddress,
  // Length and content rules need the person's name and address, so they are checked after parsing.
  password: z.string().max(maximumPasswordLength * 4, { error: 'errors.password.tooLong' }),
  timezone: z.string().max(64).optional(),
});

const password = z.string().min(1, { error: 'errors.password.required' }).max(maximumPasswordLength * 4, { error: 'errors.login.failed' });
const next = z.string().max(2000).optional();

export const loginForm = z.object({
  email: z.string().trim().min(1, { error: 'errors.email.required' }).max(254, { error: 'errors.login.failed' }),
  password,
  next,
});

const recoveryCode = z.string().trim().max(20, { error: 'errors.twoFactor.wrongRecoveryCode' }).optional();

/**
 * A code from an authenticator app: six digits, which apps often show as "123 456". Empty means
 * none was typed (the form may carry a recovery code instead); anything else is refused with
 * what is wrong with it, before it costs an attempt.
 */
export const totpCodeField = z
  .string()
  .max(40, { error: 'errors.twoFactor.codeFormat' })
  .transform((value) => value.replace(/[\s-]/g, ''))
  .refine((value) => value === '' || /^[0-9]{6}$/.test(value), { error: 'errors.twoFactor.codeFormat' });

const code = totpCodeField.optional();

export const secondFactorForm = z.object({
  code,
  recoveryCode,
});

/** The hidden username field that lets password managers file the password under the right account. */
export const passwordManagerUsername = z.string().max(254).optional();

export const sudoForm = z.object({
  username: passwordManagerUsername,
  password,
  code,
  recoveryCode,
  next,
  // A sensitive form that was posted when access had lapsed, sealed; finished after confirming.
  resume: z.string().max(8000).optional(),
});

export const forgotPasswordForm = z.object({
  email: emailAddress,
});

export const resetPasswordForm = z.object({
  newPassword: z.string().min(1, { error: 'errors.password.newRequired' }).max(maximumPasswordLength * 4, { error: 'errors.password.tooLong' }),
  confirmPassword: z.string().min(1, { error: 'errors.password.confirmRequired' }).max(maximumPasswordLength * 4, { error: 'errors.password.tooLong' }),
  code,
  recoveryCode,
});

export const confirmLinkForm = z.object({});

/** A sign-up link asks for the password chosen at sign-up, so a link mailed to someone who never signed up opens nothing. */
export const finishSignupForm = z.object({
  username: passwordManagerUsername,
  password,
});
