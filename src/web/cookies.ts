import type { CookieSerializeOptions } from '@fastify/cookie';

export interface CookieNames {
  session: string;
  csrf: string;
  flash: string;
  loginChallenge: string;
}

/** Over HTTPS, cookies get the __Host- prefix, which browsers only accept when Secure, host-only and Path=/. */
export function cookieNames(secure: boolean): CookieNames {
  const prefix = secure ? '__Host-' : '';
  return {
    session: `${prefix}dials_session`,
    csrf: `${prefix}dials_csrf`,
    flash: `${prefix}dials_flash`,
    loginChallenge: `${prefix}dials_login_step`,
  };
}

export function baseCookieOptions(secure: boolean): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure };
}
