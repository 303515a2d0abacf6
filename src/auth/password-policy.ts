import { dictionary } from '@zxcvbn-ts/language-common';

export const minimumPasswordLength = 15;
export const maximumPasswordLength = 256;

const commonPasswords = new Set(dictionary['passwords-common'].map((word) => word.toLowerCase()));

export type PasswordProblem = 'tooShort' | 'tooLong' | 'common' | 'containsPersonalData' | 'repetitive';

/**
 * NIST SP 800-63B rules: long enough, not on a list of common passwords, nothing about
 * the person. No composition rules; the password is never trimmed or case-folded when stored.
 */
export function findPasswordProblem(password: string, context: { email: string; name: string }): PasswordProblem | null {
  const length = [...password].length;
  if (length < minimumPasswordLength) return 'tooShort';
  if (length > maximumPasswordLength) return 'tooLong';
  const lowered = password.toLowerCase();
  if (commonPasswords.has(lowered) || commonPasswords.has(lowered.replace(/\s+/g, ''))) return 'common';
  if (new Set(lowered).size <= 2) return 'repetitive';
  const localPart = context.email.toLowerCase().split('@')[0] ?? '';
  if ((localPart.length >= 4 && lowered.includes(localPart)) || lowered.includes(context.email.toLowerCase())) {
    return 'containsPersonalData';
  }
  const name = context.name.trim().toLowerCase();
  if (name.length >= 4 && lowered.includes(name)) return 'containsPersonalData';
  return null;
}
