import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import type { SecurityLog } from '../../auth/security-log.ts';
import type { TotpService } from '../../auth/two-factor/totp.ts';
import { describeDevice } from '../../lib/user-agent.ts';
import type { CookieNames } from '../../web/cookies.ts';
import { emptyForm, formLevel, pageNumberQuery, parseForm, type FieldErrors } from '../../web/form.ts';
import { actorOf, requireViewer, viewerOf } from '../../web/guards.ts';
import { clearSessionCookie, clientDetails } from '../../web/session.ts';
import type { Actor } from '../../lib/actor.ts';
import { newPasswordErrorsOf } from '../../auth/new-password-errors.ts';
import type { PasswordJudgement } from '../../auth/password-rules.ts';
import type { ShownOnce } from '../../web/shown-once.ts';
import { changePasswordForm, totpCodeForm } from './form.ts';
import type { ChangePasswordResult, SecurityService } from './service.ts';

/** The QR code of an authenticator app's setup link; qrcode is loaded when first needed, not at start. */
async function qrCodeSvg(uri: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
}

export interface SecurityRouteOptions {
  security: SecurityService;
  totp: TotpService;
  securityLog: SecurityLog;
  requireSudo: preHandlerAsyncHookHandler;
  /** Whether the person confirmed access (password and second factor) within the sudo window. */
  inSudoMode: (actor: Actor) => boolean;
  cookies: CookieNames;
  secure: boolean;
  /** Carries new recovery codes from the POST that made them to the page that shows them once. */
  shownOnce: ShownOnce;
}

export const recoveryCodesPath = '/settings/security/recovery-codes';

const newCodes = z.object({ codes: z.array(z.string()).min(1).max(20) });

const pagePath = '/settings/security';
const eventsPerPage = 20;

/** The form's errors for a refused password change, as the page showed them before. */
function passwordErrorsOf(outcome: Exclude<ChangePasswordResult, { ok: true }>): FieldErrors {
  switch (outcome.reason) {
    case 'tooManyChanges':
      return { [formLevel]: { key: 'errors.password.tooManyChanges', values: { count: Math.ceil(outcome.retryAfterSeconds / 60) } } };
    case 'tooManyAttempts':
      return { [formLevel]: { key: 'errors.login.tooManyAttempts', values: { count: Math.ceil(outcome.retryAfterSeconds / 60) } } };
    case 'currentPasswordWrong':
      return { currentPassword: { key: 'errors.password.currentWrong' } };
    case 'newPasswordRefused': {
      const errors: FieldErrors = {};
      if (outcome.newPassword) errors.newPassword = { key: `errors.password.${outcome.newPassword}` };
      if (outcome.confirmationMismatch) errors.confirmPassword = { key: 'errors.password.mismatch' };
      return errors;
    }
    case 'codeRequired':
      return { code: { key: 'errors.twoFactor.codeRequired' } };
    case 'wrongCode':
      return { code: { key: 'errors.twoFactor.wrongCode' } };
    case 'wrongRecoveryCode':
      return { recoveryCode: { key: 'errors.twoFactor.wrongRecoveryCode' } };
  }
}

export async function registerSecurityRoutes(app: FastifyInstance, options: SecurityRouteOptions): Promise<void> {
  const back = (reply: FastifyReply, messageKey: string, path = pagePath) => reply.redirectWithFlash(path, { kind: 'success', messageKey });

  /** The current password is the re-authentication for a new one; the second factor is asked for only when access has lapsed. */
  const passwordNeedsSecondFactor = async (actor: Actor) => (await options.totp.isEnabled(actor.userId)) && !options.inSudoMode(actor);

  const renderPage = async (request: FastifyRequest, reply: FastifyReply, extra: { passwordErrors?: FieldErrors; passwordFeedback?: PasswordJudgement } = {}, status = 200) => {
    const viewer = viewerOf(request);
    const pageNumber = pageNumberQuery.parse(request.query ?? {}).page;
    const log = await options.securityLog.list(viewer.user.id, pageNumber, eventsPerPage);
    const overview = await options.security.overview(actorOf(request));
    return reply.page(
      'settings/security/page',
      {
        overview,
        log: { ...log, page: pageNumber, pages: Math.max(1, Math.ceil(log.total / eventsPerPage)) },
        describeDevice,
        passwordErrors: extra.passwordErrors ?? {},
        passwordFeedback: extra.passwordFeedback ?? null,
        passwordNeedsSecondFactor: await passwordNeedsSecondFactor(actorOf(request)),
      },
      status,
    );
  };

  const renderEnrolment = async (request: FastifyRequest, reply: FastifyReply, errors: FieldErrors = {}, status = 200) => {
    const viewer = viewerOf(request);
    const enrolment = await options.totp.pendingEnrolment(viewer.user.id, viewer.user.email);
    const qrSvg = enrolment ? await qrCodeSvg(enrolment.uri) : null;
    const secretGroups = enrolment ? enrolment.secret.match(/.{1,4}/g)?.join(' ') : null;
    const { primaryEmailVerified } = await options.security.overview(actorOf(request));
    return reply.page(
      'settings/security/totp-enrol',
      { enrolment, qrSvg, secretGroups, enabled: await options.totp.isEnabled(viewer.user.id), primaryEmailVerified, errors },
      status,
    );
  };

  const renderRecoveryCodes = async (request: FastifyRequest, reply: FastifyReply, codes: string[] | null, errors: FieldErrors = {}, status = 200) => {
    const overview = await options.security.overview(actorOf(request));
    return reply.page('settings/security/recovery-codes', { codes, overview, errors }, status);
  };

  /** New codes are shown on a page of their own after a redirect, so reloading it never posts again; they are shown once. */
  const showNewCodes = (request: FastifyRequest, reply: FastifyReply, codes: string[], messageKey?: string) => {
    options.shownOnce.put(reply, viewerOf(request).session.id, { codes });
    return messageKey ? back(reply, messageKey, recoveryCodesPath) : reply.redirect(recoveryCodesPath, 303);
  };

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    scoped.get(pagePath, async (request, reply) => renderPage(request, reply));

    // Not behind requireSudo: the form asks for the current password (and the second factor when needed) itself.
    scoped.post(`${pagePath}/password`, async (request, reply) => {
      const parsed = parseForm(changePasswordForm, request.body);
      if (!parsed.ok) {
        const { errors, judgement } = await newPasswordErrorsOf(request.body, viewerOf(request).user);
        return renderPage(request, reply, { passwordErrors: { ...errors, ...parsed.errors }, ...(judgement?.problem ? { passwordFeedback: judgement } : {}) }, 422);
      }
      const actor = actorOf(request);
      const secondFactorRequired = await passwordNeedsSecondFactor(actor);
      const outcome = await options.security.changePassword(actor, parsed.data, clientDetails(request), { secondFactorRequired });
      if (outcome.ok) return back(reply, 'flash.passwordChanged');
      if (outcome.reason === 'tooManyChanges' || outcome.reason === 'tooManyAttempts') reply.header('retry-after', String(outcome.retryAfterSeconds));
      const extra = { passwordErrors: passwordErrorsOf(outcome), ...(outcome.reason === 'newPasswordRefused' ? { passwordFeedback: outcome.judgement } : {}) };
      return renderPage(request, reply, extra, outcome.reason === 'tooManyChanges' || outcome.reason === 'tooManyAttempts' ? 429 : 422);
    });

    scoped.get(`${pagePath}/log-out-everywhere`, async (_request, reply) => reply.page('settings/security/log-out-everywhere'));
    // The page's old address, from before "sign out" became "log out" everywhere.
    scoped.get(`${pagePath}/sign-out-everywhere`, async (_request, reply) => reply.redirect(`${pagePath}/log-out-everywhere`, 301));

    const logOutEverywhere = async (request: FastifyRequest, reply: FastifyReply) => {
      const parsed = parseForm(emptyForm, request.body);
      if (!parsed.ok) return reply.page('settings/security/log-out-everywhere', { errors: parsed.errors }, 422);
      await options.security.logOutEverywhere(actorOf(request), clientDetails(request));
      clearSessionCookie(reply, options);
      return back(reply, 'flash.signedOutEverywhere', '/login');
    };
    scoped.post(`${pagePath}/log-out-everywhere`, logOutEverywhere);
    scoped.post(`${pagePath}/sign-out-everywhere`, logOutEverywhere);

    scoped.get(`${pagePath}/two-factor/app`, { preHandler: options.requireSudo }, async (request, reply) => renderEnrolment(request, reply));

    scoped.post(`${pagePath}/two-factor/app/start`, { preHandler: options.requireSudo }, async (request, reply) => {
      const parsed = parseForm(emptyForm, request.body);
      if (!parsed.ok) return renderEnrolment(request, reply, parsed.errors, 422);
      const outcome = await options.security.startTotp(actorOf(request));
      if (!outcome.ok) return renderEnrolment(request, reply, { [formLevel]: { key: 'errors.twoFactor.confirmEmailFirst' } }, 422);
      return reply.redirect(`${pagePath}/two-factor/app`, 303);
    });

    scoped.post(`${pagePath}/two-factor/app/confirm`, { preHandler: options.requireSudo }, async (request, reply) => {
      const parsed = parseForm(totpCodeForm, request.body);
      if (!parsed.ok) return renderEnrolment(request, reply, parsed.errors, 422);
      const outcome = await options.security.confirmTotp(actorOf(request), parsed.data.code, clientDetails(request));
      if (!outcome.ok) return renderEnrolment(request, reply, { code: { key: `errors.twoFactor.${outcome.reason}` } }, 422);
      const flash = outcome.revokedKeys.length > 0 ? 'flash.totpEnabledKeysRevoked' : 'flash.totpEnabled';
      if (outcome.recoveryCodes) return showNewCodes(request, reply, outcome.recoveryCodes, flash);
      return back(reply, flash);
    });

    scoped.get(`${pagePath}/two-factor/app/remove`, { preHandler: options.requireSudo }, async (request, reply) => {
      if (!(await options.totp.isEnabled(viewerOf(request).user.id))) return reply.redirect(pagePath);
      return reply.page('settings/security/totp-remove');
    });

    scoped.post(`${pagePath}/two-factor/app/remove`, { preHandler: options.requireSudo }, async (request, reply) => {
      const parsed = parseForm(emptyForm, request.body);
      if (!parsed.ok) return reply.page('settings/security/totp-remove', { errors: parsed.errors }, 422);
      await options.security.removeTotp(actorOf(request), clientDetails(request));
      return back(reply, 'flash.totpRemoved');
    });

    scoped.get(recoveryCodesPath, async function recoveryCodesPage(request, reply) {
      // Codes this session has just made are shown even if access lapsed on the way here: they
      // were made with access confirmed, the old set is void, and confirming again would lose them.
      const waiting = newCodes.safeParse(options.shownOnce.take(request, reply, viewerOf(request).session.id));
      if (waiting.success) return renderRecoveryCodes(request, reply, waiting.data.codes);
      await options.requireSudo.call(this, request, reply);
      if (reply.sent) return reply;
      return renderRecoveryCodes(request, reply, null);
    });

    scoped.post(recoveryCodesPath, { preHandler: options.requireSudo }, async (request, reply) => {
      const parsed = parseForm(emptyForm, request.body);
      if (!parsed.ok) return renderRecoveryCodes(request, reply, null, parsed.errors, 422);
      const outcome = await options.security.regenerateRecoveryCodes(actorOf(request), clientDetails(request));
      if (!outcome.ok) return renderRecoveryCodes(request, reply, null, { [formLevel]: { key: 'errors.twoFactor.recoveryNeedsFactor' } }, 422);
      return showNewCodes(request, reply, outcome.codes);
    });
  });
}
