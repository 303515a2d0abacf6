import type { StackFrame } from '../tables.ts';
import type { StackTraceOrder } from './context.ts';

/** The order a stack trace is shown in: "default" lets Dials decide, and Dials puts the most recent call first. */
export function shownOrder(preference: StackTraceOrder): 'caller-first' | 'caller-last' {
  return preference === 'caller-last' ? 'caller-last' : 'caller-first';
}

/**
 * The frames in the order shown. They are stored as reported, outermost call first (the most
 * recent call last), so "most recent call first" reverses them.
 */
export function framesInOrder(frames: readonly StackFrame[], order: 'caller-first' | 'caller-last'): StackFrame[] {
  return order === 'caller-last' ? [...frames] : [...frames].reverse();
}
