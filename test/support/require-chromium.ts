// Run before the tests: the browser tests need Debian's Chromium, and without it they would all
// fail one by one with errors that do not say why. One line and a non-zero exit say it at once.
import fs from 'node:fs';
import { chromiumPath } from './chromium-path.ts';

if (!fs.existsSync(chromiumPath)) {
  process.stderr.write(`Chromium is missing (${chromiumPath}); the browser tests need it. Install it with: sudo apt-get install chromium\n`);
  process.exit(1);
}
