import type { Db } from '../db/client.ts';

/**
 * The mail that sign-up, address confirmation and password reset send. The caller decides what is
 * sent and to whom; `notify/` composes it in the recipient's language and queues it in the outbox,
 * so nothing here depends on how mail is made or delivered.
 */
export interface AccountMail {
  /**
   * The link that confirms an address, or finishes a sign-up when `signsIn`; queued inside `tx`
   * when given. False when there is no one to send it to.
   */
  addressLink(link: { userId: number; address: string; token: string; signsIn: boolean }, tx?: Db): Promise<boolean>;
  /** Tells the owner of an address that someone tried to sign up with it, and how to log in instead. */
  signupAttempted(userId: number, address: string): Promise<void>;
  /** A password-reset link; the token is issued only once there is someone to send it to. */
  resetLink(userId: number, address: string, issueToken: () => Promise<string>): Promise<void>;
}
