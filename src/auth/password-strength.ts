import { ZxcvbnFactory, type OptionsDictionary } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as deDictionary } from '@zxcvbn-ts/language-de';
import { dictionary as enDictionary } from '@zxcvbn-ts/language-en';
import { dictionary as frDictionary } from '@zxcvbn-ts/language-fr';

/**
 * The estimator looks at no more than this many characters: its cost grows steeply with length
 * (a 256-character input took seconds; 40 cost at most ~50 ms here), and a password whose first 40 characters are guessable
 * is not one to keep anyway.
 */
export const judgedLength = 40;

/** Some languages name their word lists alike ("commonWords"); a suffix keeps each list. */
function suffixed(language: string, lists: OptionsDictionary): OptionsDictionary {
  return Object.fromEntries(Object.entries(lists).map(([name, words]) => [name.endsWith(`-${language}`) ? name : `${name}-${language}`, words]));
}

// Built once when the module is first imported: ranking the dictionaries takes a few hundred milliseconds.
const estimator = new ZxcvbnFactory({
  dictionary: { ...commonDictionary, ...suffixed('en', enDictionary), ...suffixed('de', deDictionary), ...suffixed('fr', frDictionary) },
  graphs: adjacencyGraphs,
  maxLength: judgedLength,
  // The l33t matcher tries every combination of substitutions; the default of 100 made one check take seconds, 8 about 100 ms.
  l33tMaxSubstitutions: 4,
});

export interface StrengthEstimate {
  /** 0 (guessed at once) to 4 (very unlikely to be guessed), after zxcvbn. */
  score: 0 | 1 | 2 | 3 | 4;
  /** zxcvbn's feedback as keys (its default translations are the keys themselves). */
  warning: string | null;
  suggestions: string[];
}

export function estimateStrength(password: string, userInputs: string[]): StrengthEstimate {
  const result = estimator.check(password, userInputs);
  return { score: result.score, warning: result.feedback.warning || null, suggestions: result.feedback.suggestions };
}

// The first check compiles the matchers; doing it at start keeps that out of someone's request.
estimateStrength('warm up the estimator once', []);
