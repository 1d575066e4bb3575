/**
 * Text safe to put into an HTML page: escaped element text and attribute values, JSON for a
 * `<script type="application/json">` element that nothing in it can end, and code checked to
 * be inlinable in a `<script>` element.
 */

const HTML_SPECIAL = /[&<>"']/g;
const HTML_ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `s` as element text or a quoted attribute value. */
export function escapeHtml(s: string): string {
  return s.replace(HTML_SPECIAL, (c) => HTML_ENTITY[c]);
}

// `<`, `>` and `&` only ever occur inside JSON strings, where their \u escapes mean the same;
// U+2028 and U+2029 are escaped too, for readers that take the text as JavaScript.
const JSON_UNSAFE = /[<>&\u2028\u2029]/g;

/**
 * `value` as JSON text for the inside of a `<script type="application/json">` element: no
 * `</script>`, `<!--` or `<script` can appear in it, so the element ends only where the page
 * ends it, and `JSON.parse` of the element's text gives `value` back.
 */
export function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value).replace(JSON_UNSAFE, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * Checks that `code` can sit inside a `<script>` element as it is: an HTML parser would end the
 * element at `</script` and treat `<!--` and `<script` specially there.
 * @throws Error naming `what` when it cannot (a packaging problem, not the input's)
 */
export function checkInlineScript(code: string, what: string): string {
  const m = /<\/script|<!--|<script/i.exec(code);
  if (m) throw new Error(`${what} cannot be inlined in the page: it holds "${m[0]}" at character ${m.index}`);
  return code;
}
