import { createTestApp } from '/work/main/test/support/test-app.ts';
import { signUp } from '/work/main/test/support/browser-session.ts';
import { translatorFor } from '/work/main/src/web/i18n.ts';
const t = await createTestApp();
const b = await signUp(t.app, { email: 'a@b.test' });
const page = await b.get('/settings/account');
console.log('page bytes', page.body.length, 'options', (page.body.match(/<option/g) ?? []).length);
const r = await b.post('/settings/account/details', { name: 'X Y' }, { htmx: true });
console.log('details block bytes', r.statusCode, r.body.length);
const p = await b.post('/settings/account/preferences', { language: 'en', timezone: 'Europe/Berlin', clock24h: 'on', dateFormat: 'iso', theme: 'dark', stackTraceOrder: 'default' }, { htmx: true });
console.log('prefs block bytes', p.statusCode, p.body.length);
// count t calls per page
const en = translatorFor('en');
let calls = 0;
const orig = en as unknown as (...a: unknown[]) => unknown;
// time t
let s = performance.now(); for (let i = 0; i < 100000; i++) en('account.details.title'); console.log('t() µs/call', ((performance.now() - s) * 1000 / 100000).toFixed(2));
// session query time
const sqlite = t.db.$client;
const row = sqlite.prepare('select id from sessions').get() as { id: string };
const stmt = sqlite.prepare('select s.id, s.user_id, s.created_at, s.expires_at, s.last_seen_at, u.id, u.email, u.name, u.is_admin, u.created_at from sessions s join users u on u.id = s.user_id where s.id = ?');
s = performance.now(); for (let i = 0; i < 100000; i++) stmt.get(row.id); console.log('raw session select µs', ((performance.now() - s) * 10).toFixed(2));
console.log(sqlite.prepare('explain query plan select * from sessions s join users u on u.id = s.user_id where s.id = ?').all(row.id));
import crypto from 'node:crypto';
const secret = crypto.randomBytes(32);
s = performance.now(); for (let i = 0; i < 100000; i++) crypto.createHmac('sha256', secret).update('csrf|session|abc').digest('base64url'); console.log('hmac buffer µs', ((performance.now() - s) * 10).toFixed(2));
const key = crypto.createSecretKey(secret);
s = performance.now(); for (let i = 0; i < 100000; i++) crypto.createHmac('sha256', key).update('csrf|session|abc').digest('base64url'); console.log('hmac keyobject µs', ((performance.now() - s) * 10).toFixed(2));
void calls; void orig;
await t.close();
