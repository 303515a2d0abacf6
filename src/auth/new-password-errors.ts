import type { FieldErrors } from '../web/form.ts';
import { judgePasswordInWorker } from './password-judge.ts';
import { maximumPasswordLength, type PasswordJudgement, type PasswordOwner } from './password-rules.ts';

/**
 * The new password's problems as field errors, with the estimator's advice, from a posted form
 * that was refused for something else (a code in the wrong shape, say): every error shows at once.
 */
export async function newPasswordErrorsOf(body: unknown, owner: PasswordOwner | undefined): Promise<{ errors: FieldErrors; judgement: PasswordJudgement | null }> {
  const fields = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const { newPassword, confirmPassword } = fields;
  if (!owner || typeof newPassword !== 'string' || newPassword === '' || newPassword.length > maximumPasswordLength * 4) return { errors: {}, judgement: null };
  const judgement = await judgePasswordInWorker(newPassword, owner);
  const errors: FieldErrors = {};
  if (judgement.problem) errors.newPassword = { key: `errors.password.${judgement.problem}` };
  if (typeof confirmPassword === 'string' && confirmPassword !== '' && confirmPassword !== newPassword) errors.confirmPassword = { key: 'errors.password.mismatch' };
  return { errors, judgement };
}
