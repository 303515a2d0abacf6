import path from 'node:path';
import { z } from 'zod';

const durationHours = (fallback: number) => z.coerce.number().positive().max(24 * 365).default(fallback);

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('localhost'),
  DATA_DIR: z.string().min(1).default('data'),
  ADDON_CACHE_DIR: z.string().min(1).optional(),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .refine((value) => ['', '/'].includes(new URL(value).pathname) && !new URL(value).search, {
      error: 'must be the site itself, like https://dials.example.org, without a path: Dials is served from the root',
    })
    .optional(),
  TRUST_PROXY: z
    .string()
    .refine(
      (value) => /^(true|false|\d{1,2})$/.test(value) || value.split(',').every((entry) => /^[0-9a-fA-F.:/]{2,43}$/.test(entry.trim())),
      { error: 'must be false, true (one proxy), a number of proxies, or a comma-separated list of proxy addresses or CIDR ranges' },
    )
    .default('false'),
  SESSION_LIFETIME_HOURS: durationHours(30 * 24),
  SESSION_IDLE_HOURS: durationHours(7 * 24),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(10),
  LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(50),
  LOGIN_LOCKOUT_MINUTES: z.coerce.number().positive().default(15),
  SUDO_WINDOW_MINUTES: z.coerce.number().positive().max(24 * 60).default(60),
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().max(1_000_000).default(600),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'must look like smtp://user:password@host:587 or smtps://host:465' })
    .optional(),
  MAIL_FROM: z.string().min(3).max(200).optional(),
  SQLITE_LOCKING: z.enum(['exclusive', 'normal']).default('exclusive'),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().min(0).max(600).default(10),
  BACKUP_SCHEDULE: z
    .string()
    .refine((value) => [5, 6].includes(value.trim().split(/\s+/).length), { error: 'must be a cron expression of five fields (minute hour day month weekday, e.g. "30 3 * * *") or six (seconds first)' })
    .optional(),
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseFile: string;
  /** Where the binary unpacks its native addons (a folder that allows executing files); unused from sources. */
  addonCacheDir: string;
  publicUrl: URL;
  /** True when people reach Dials over HTTPS: cookies become Secure and __Host- prefixed, HSTS is sent. */
  secureCookies: boolean;
  /**
   * Which X-Forwarded-For entries to believe: false (none), a number of proxy hops counted from
   * the right, or the proxies' addresses. Never `true`, which would believe the left-most entry,
   * the one a client writes itself.
   */
  trustProxy: false | number | string[];
  sessionLifetimeMs: number;
  sessionIdleMs: number;
  loginLimits: { perAccount: number; perIp: number; lockoutSeconds: number };
  /** How long after entering the password (and second factor) sensitive actions are allowed without asking again. */
  sudoWindowMs: number;
  /** Calls one API key may make a minute. */
  apiRateLimitPerMinute: number;
  /** Where mail goes out; without it, mail waits in the outbox for the administrator to read. */
  smtpUrl: string | null;
  /** Whether this process keeps the database file locked while it runs (faster; no other process may open it). */
  exclusiveDatabase: boolean;
  mailFrom: string;
  logLevel: string;
  backups: {
    /** When the scheduled backup runs (a cron expression, in the server's time zone); null: never. */
    schedule: string | null;
    /** Where scheduled backups and the backups taken before an upgrade go. */
    dir: string;
    /** How many scheduled backups are kept; older ones are removed. */
    keep: number;
  };
  /** How long a stopping Dials waits for requests in flight before it closes their connections. */
  shutdownTimeoutMs: number;
}

export class ConfigError extends Error {}

function trustProxySetting(value: string): false | number | string[] {
  if (value === 'false' || value === '0') return false;
  if (value === 'true') return 1;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(',').map((entry) => entry.trim());
}

/** Turns the environment into a typed config, or throws a ConfigError naming every bad variable. */
export function loadConfig(environment: NodeJS.ProcessEnv): Config {
  // An empty variable (e.g. "SMTP_URL=" in a .env file) means "not set".
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  const publicUrl = new URL(env.PUBLIC_URL ?? `http://localhost:${env.PORT}`);
  const hour = 60 * 60 * 1000;
  return {
    port: env.PORT,
    host: env.HOST,
    dataDir,
    databaseFile: path.join(dataDir, 'dials.db'),
    addonCacheDir: env.ADDON_CACHE_DIR ? path.resolve(env.ADDON_CACHE_DIR) : path.join(dataDir, 'addon-cache'),
    publicUrl,
    secureCookies: publicUrl.protocol === 'https:',
    trustProxy: trustProxySetting(env.TRUST_PROXY),
    sessionLifetimeMs: env.SESSION_LIFETIME_HOURS * hour,
    sessionIdleMs: env.SESSION_IDLE_HOURS * hour,
    loginLimits: {
      perAccount: env.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      perIp: env.LOGIN_MAX_FAILURES_PER_IP,
      lockoutSeconds: Math.round(env.LOGIN_LOCKOUT_MINUTES * 60),
    },
    sudoWindowMs: env.SUDO_WINDOW_MINUTES * 60 * 1000,
    apiRateLimitPerMinute: env.API_RATE_LIMIT_PER_MINUTE,
    smtpUrl: env.SMTP_URL ?? null,
    exclusiveDatabase: env.SQLITE_LOCKING === 'exclusive',
    mailFrom: env.MAIL_FROM ?? `Dials <dials@${publicUrl.hostname}>`,
    logLevel: env.LOG_LEVEL,
    backups: {
      schedule: env.BACKUP_SCHEDULE?.trim() ?? null,
      dir: path.resolve(env.BACKUP_DIR ?? path.join(dataDir, 'backups')),
      keep: env.BACKUP_KEEP,
    },
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  };
}
