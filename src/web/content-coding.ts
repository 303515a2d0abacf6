export type ContentCoding = 'br' | 'gzip';

/**
 * The content coding to send, from a request's Accept-Encoding and the codings at hand: the one the
 * client weighs highest (q), brotli before gzip when it weighs them alike; null for the bytes as
 * they are, also when the client refuses both. `*` stands for every coding it does not name.
 */
export function chooseContentCoding(acceptEncoding: string | undefined, available: readonly ContentCoding[]): ContentCoding | null {
  if (!acceptEncoding) return null;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    if (!name) continue;
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  let chosen: ContentCoding | null = null;
  let best = 0;
  for (const coding of available) {
    const weight = weights.get(coding) ?? weights.get('*') ?? 0;
    if (weight > best) {
      chosen = coding;
      best = weight;
    }
  }
  return chosen;
}
