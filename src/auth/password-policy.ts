import { dictionary } from '@zxcvbn-ts/language-common';
import { estimateStrength } from './password-strength.ts';
import { maximumPasswordLength, minimumPasswordLength, type PasswordJudgement, type PasswordOwner, type PasswordProblem } from './password-rules.ts';

export { maximumPasswordLength, minimumPasswordLength, type PasswordJudgement, type PasswordOwner, type PasswordProblem };

/** zxcvbn's scores run 0..4; 3 means "safely unguessable" (at least 10^8 guesses). */
const minimumScore = 3;

const commonPasswords = new Set(dictionary['passwords-common'].map((word) => word.toLowerCase()));

// The feedback zxcvbn can give, each translated in the catalogues under passwordFeedback.*.
const warnings = new Set([
  'straightRow', 'keyPattern', 'simpleRepeat', 'extendedRepeat', 'sequences', 'recentYears', 'dates', 'topTen',
  'topHundred', 'common', 'similarToCommon', 'wordByItself', 'namesByThemselves', 'commonNames', 'userInputs',
]);
// Not "capitalise more" nor "use fewer obvious substitutions": Dials asks for no composition (no
// capitals, digits or symbols needed), and its own advice says so; more words is the way it suggests.
const suggestions = new Set([
  'reverseWords', 'dates', 'recentYears', 'associatedYears', 'sequences',
  'repeated', 'longerKeyboardPattern', 'anotherWord', 'useWords', 'noNeed',
]);

/** What an attacker who knows the person would try first: their name, its parts, their address and its parts. */
export function userInputsOf(owner: PasswordOwner): string[] {
  const email = owner.email.trim().toLowerCase();
  const [localPart = '', domain = ''] = email.split('@');
  const parts = [owner.name, ...owner.name.split(/[\s.,'’_+-]+/), email, localPart, ...localPart.split(/[._+-]+/), domain.split('.')[0] ?? '', 'dials'];
  return [...new Set(parts.map((part) => part.trim().toLowerCase()).filter((part) => part.length >= 3))];
}

function containsPersonalData(lowered: string, owner: PasswordOwner): boolean {
  const email = owner.email.trim().toLowerCase();
  const localPart = email.split('@')[0] ?? '';
  if (email.length > 0 && lowered.includes(email)) return true;
  if (localPart.length >= 4 && lowered.includes(localPart)) return true;
  const name = owner.name.trim().toLowerCase();
  return name.length >= 4 && lowered.includes(name);
}

/**
 * NIST SP 800-63B rules: 15 to 256 characters, not on a list of common passwords, nothing about
 * the person, and not easily guessed by a strength estimator (zxcvbn) that knows the person's
 * name and address. No composition rules; the password is never trimmed or case-folded.
 */
export function judgePassword(password: string, owner: PasswordOwner): PasswordJudgement {
  const length = [...password].length;
  if (length > maximumPasswordLength) return { problem: 'tooLong', warning: null, suggestions: [] };
  const estimate = estimateStrength(password, userInputsOf(owner));
  const refuse = (problem: PasswordProblem): PasswordJudgement => ({
    problem,
    warning: estimate.warning && warnings.has(estimate.warning) ? estimate.warning : null,
    suggestions: ((kept) => (kept.length > 0 ? kept : ['anotherWord']))(estimate.suggestions.filter((key) => suggestions.has(key))),
  });
  if (length < minimumPasswordLength) return refuse('tooShort');
  const lowered = password.toLowerCase();
  if (commonPasswords.has(lowered) || commonPasswords.has(lowered.replace(/\s+/g, ''))) return refuse('common');
  if (new Set(lowered).size <= 2) return refuse('repetitive');
  if (containsPersonalData(lowered, owner)) return refuse('containsPersonalData');
  if (estimate.score < minimumScore) return refuse(estimate.warning === 'userInputs' ? 'containsPersonalData' : 'guessable');
  return { problem: null, warning: null, suggestions: [] };
}

export function findPasswordProblem(password: string, owner: PasswordOwner): PasswordProblem | null {
  return judgePassword(password, owner).problem;
}

