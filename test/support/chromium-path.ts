/** Debian's Chromium (apt-get install chromium); the browser tests never download a browser. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
