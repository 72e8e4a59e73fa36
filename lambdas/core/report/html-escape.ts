/**
 * HTML escaping for the report. Every user-provided string (test name, request names, error
 * messages, segments) goes through here: the report is opened from disk or a bucket, so an
 * injected `<script>` would run with the viewer's file or origin privileges.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(value: unknown): string {
  const text = typeof value === 'string' ? value : value == null ? '' : String(value);
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
