/**
 * A list cut into pieces of at most `size`: a query with one bound value per id must stay under
 * SQLite's limit of 32 766 bound values, whatever the number of ids (an organization's members).
 */
export function chunksOf<T>(items: readonly T[], size = 10_000): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
