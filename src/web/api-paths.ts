/** Where the JSON API lives: only a key authenticates there, and no cookie does. */
export const apiPathPrefix = '/api/';

export function isApiPath(url: string): boolean {
  return url.startsWith(apiPathPrefix);
}
