import { z } from 'zod';
import { passwordManagerUsername, totpCodeField } from '../../auth/forms.ts';
import { maximumPasswordLength } from '../../auth/password-rules.ts';

const passwordField = (requiredKey: string) =>
  z.string().min(1, { error: requiredKey }).max(maximumPasswordLength * 4, { error: 'errors.password.tooLong' });

export const changePasswordForm = z.object({
  username: passwordManagerUsername,
  currentPassword: passwordField('errors.password.currentRequired'),
  newPassword: passwordField('errors.password.newRequired'),
  confirmPassword: passwordField('errors.password.confirmRequired'),
  // Asked for when a second factor is enrolled and access has not been confirmed lately.
  code: totpCodeField.optional(),
  recoveryCode: z.string().trim().max(20, { error: 'errors.twoFactor.wrongRecoveryCode' }).optional(),
});

export const totpCodeForm = z.object({
  code: totpCodeField.refine((value) => value !== '', { error: 'errors.twoFactor.codeRequired', abort: true }),
});
