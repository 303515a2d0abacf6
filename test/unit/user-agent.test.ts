import { describe, expect, it } from 'vitest';
import { describeDevice } from '../../src/lib/user-agent.ts';

const agents = {
  firefoxUbuntu: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  chromeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  edgeWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87',
  safariMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  safariIphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  chromeAndroid: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36',
};

describe('describeDevice', () => {
  it.each([
    ['Firefox on Ubuntu', agents.firefoxUbuntu, 'Firefox 128', 'Ubuntu'],
    ['Chrome on Windows', agents.chromeWindows, 'Chrome 126', 'Windows'],
    ['Edge on Windows (not Chrome)', agents.edgeWindows, 'Edge 126', 'Windows'],
    ['Safari on a Mac, named macOS', agents.safariMac, 'Safari 17', 'macOS'],
    ['Safari on an iPhone', agents.safariIphone, 'Mobile Safari 17', 'iOS'],
    ['Chrome on Android', agents.chromeAndroid, 'Chrome 126', 'Android'],
  ])('%s', (_label, userAgent, browser, os) => {
    expect(describeDevice(userAgent)).toEqual({ browser, os });
  });

  it('leaves out the system version, which browsers freeze (Windows 11 says "Windows NT 10.0")', () => {
    expect(describeDevice(agents.chromeWindows).os).toBe('Windows');
    expect(describeDevice(agents.safariMac).os).toBe('macOS');
  });

  it.each([
    ['an empty header', ''],
    ['no header at all', undefined],
    ['null', null],
    ['only spaces', '   '],
    ['a command-line client', 'curl/8.5.0'],
    ['nonsense', 'lightMyRequest'],
  ])('knows nothing from %s', (_label, userAgent) => {
    expect(describeDevice(userAgent)).toEqual({ browser: null, os: null });
  });

  it('gives the browser alone when the system is not named, and the other way round', () => {
    expect(describeDevice('Mozilla/5.0 (compatible; rv:128.0) Gecko/20100101 Firefox/128.0')).toEqual({ browser: 'Firefox 128', os: null });
    expect(describeDevice('Mozilla/5.0 (X11; Ubuntu; Linux x86_64)')).toEqual({ browser: null, os: 'Ubuntu' });
  });

  it('copes quickly with a huge or hostile header', () => {
    const started = performance.now();
    expect(describeDevice('a'.repeat(100_000))).toEqual({ browser: null, os: null });
    expect(describeDevice(`Mozilla/5.0 (${'('.repeat(5_000)}`)).toBeTypeOf('object');
    expect(describeDevice(`${' '.repeat(10_000)}Firefox/1${'.1'.repeat(5_000)}`)).toBeTypeOf('object');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('never returns an endlessly long name', () => {
    const { browser } = describeDevice(`Mozilla/5.0 (X11; Linux x86_64) Firefox/${'9'.repeat(400)}`);
    expect((browser ?? '').length).toBeLessThanOrEqual(51);
  });
});
