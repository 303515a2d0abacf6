import { describe, expect, it } from 'vitest';
import { isApiPath, routedPath } from '../../src/web/api-paths.ts';

describe('the routed path of a request target', () => {
  it('reads the origin form and the absolute form alike, without the query, with escapes decoded', () => {
    expect(routedPath('/api/v1/user?x=1')).toBe('/api/v1/user');
    expect(routedPath('http://dials.example/api/v1/user')).toBe('/api/v1/user');
    expect(routedPath('HTTPS://dials.example:8443/api/v1/user?x=/y')).toBe('/api/v1/user');
    expect(routedPath('http://dials.example')).toBe('/');
    expect(routedPath('/%61pi/v1/user')).toBe('/api/v1/user');
    expect(routedPath('/api/v1/%zz')).toBe('/api/v1/%zz');
    expect(routedPath('ftp://dials.example/api/v1/user')).toBeNull();
    expect(routedPath('*')).toBeNull();
  });

  it('tells API paths from pages on what the router sees', () => {
    expect(isApiPath('http://dials.example/api/v1/user')).toBe(true);
    expect(isApiPath('/%61pi/v1/user')).toBe(true);
    expect(isApiPath('/settings/api-keys')).toBe(false);
    expect(isApiPath('http://dials.example/settings?next=/api/')).toBe(false);
  });
});
