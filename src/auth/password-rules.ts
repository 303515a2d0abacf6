/**
 * What the password rules are and what a judgement of a password looks like, without the
 * strength estimator: this module is cheap to import. The judging itself (password-policy.ts)
 * runs in a helper process (password-judge.ts).
 */
export const minimumPasswordLength = 15;
export const maximumPasswordLength = 256;

export type PasswordProblem = 'tooShort' | 'tooLong' | 'common' | 'containsPersonalData' | 'repetitive' | 'guessable';

export interface PasswordJudgement {
  problem: PasswordProblem | null;
  /** Translation keys of what makes the password weak and what would help; empty when it is accepted. */
  warning: string | null;
  suggestions: string[];
}

export interface PasswordOwner {
  email: string;
  name: string;
}
