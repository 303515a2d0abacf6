import type { FastifyReply } from 'fastify';

/**
 * The answer to an auto-save from a page whose session has ended: 401 and a short message with a
 * link to log in and come back, which public/app.js shows in the block (it also puts the block's
 * saved values back, as nothing was saved).
 */
export async function answerSignedOutBlock(reply: FastifyReply, loginPath: string): Promise<void> {
  await reply.block('partials/signed-out', { loginUrl: loginPath }, 401);
}
