/** A page's HTML with character references read as the browser reads them ("&#x2026;" → "…"), for comparing shown text. */
export function shownText(html: string): string {
  return html.replace(/&#x([0-9a-f]+);|&#(\d+);/gi, (_, hex: string | undefined, decimal: string | undefined) =>
    String.fromCodePoint(hex ? Number.parseInt(hex, 16) : Number(decimal)),
  );
}
