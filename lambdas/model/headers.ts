/**
 * What a request header may be (RFC 9110 §5.1, §5.5). Our HTTP/1.1 transport writes header lines
 * as they are, so a CR or LF in a name or value would end the line early and let a definition (or a
 * value captured from a response) smuggle headers or a second request past us: names must be
 * tokens, values free of control characters. Checked at validation, after filling placeholders,
 * and once more by the transport.
 */

/** Set by the transport from the URL and the body; a definition that sets them would contradict it. */
export const FORBIDDEN_REQUEST_HEADERS: readonly string[] = [
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
];

/** RFC 9110 tchar: letters, digits and !#$%&'*+-.^_`|~ */
const isTokenChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  (c < 0x7f && "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c)));

export function isHeaderName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) if (!isTokenChar(name.charCodeAt(i))) return false;
  return true;
}

/**
 * Why this value cannot be sent, or undefined when it can: no C0 control but HTAB, no DEL, and
 * nothing above U+00FF (the transport writes headers as latin1, so anything wider would be mangled).
 */
export function headerValueProblem(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f)
      return `must not contain control characters (found U+${c.toString(16).toUpperCase().padStart(4, '0')} at ${i})`;
    if (c > 0xff) return `must contain only latin-1 characters (found ${JSON.stringify(value[i])} at ${i})`;
  }
  return undefined;
}

/** Why this header of a definition cannot be sent as written, or undefined when it can. */
export function headerProblem(name: string, value: string): string | undefined {
  if (!isHeaderName(name))
    return `${JSON.stringify(name)} is not a header name (letters, digits and !#$%&'*+-.^_\`|~ only)`;
  if (FORBIDDEN_REQUEST_HEADERS.includes(name.toLowerCase()))
    return `"${name}" cannot be set: Throughline sets Host, Content-Length, Transfer-Encoding and Connection itself, from the URL and the body`;
  return headerValueProblem(value);
}
