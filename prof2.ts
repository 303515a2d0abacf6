import { createTestApp } from './test/support/test-app.ts';
import { signUp } from './test/support/browser-session.ts';
import { Eta } from 'eta';
const t = await createTestApp({ LOG_LEVEL: 'silent' });
const ada = await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace', timezone: 'Europe/Berlin' });
const cookie = ada.cookieHeader();
// Capture the data passed to eta.render for the page.
const proto = Eta.prototype as unknown as { render: (...a: unknown[]) => string };
const original = proto.render;
let captured: unknown[] | null = null; let self: unknown = null;
proto.render = function (this: unknown, ...args: unknown[]) { if (args[0] === 'settings/account/page') { captured = args; self = this; } return original.apply(this, args); };
await t.app.inject({ method: 'GET', url: '/settings/account', headers: { cookie } });
proto.render = original;
const run = () => original.apply(self, captured!);
for (let i = 0; i < 3000; i++) run();
let best = Infinity;
for (let r = 0; r < 5; r++) { const s = process.cpuUsage(); for (let i = 0; i < 5000; i++) run(); const u = process.cpuUsage(s); best = Math.min(best, (u.user + u.system) / 5000); }
console.log('page template render', best.toFixed(1), 'µs');
let b2 = Infinity; const html = run();
for (let r = 0; r < 5; r++) { const s = process.cpuUsage(); for (let i = 0; i < 5000; i++) Buffer.from(html); const u = process.cpuUsage(s); b2 = Math.min(b2, (u.user + u.system) / 5000); }
console.log('utf8 encode', b2.toFixed(2), 'µs', html.length);
await t.close();
