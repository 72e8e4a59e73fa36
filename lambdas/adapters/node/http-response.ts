import type { ErrorKind } from '../../model/window';
import type { HttpResult } from '../../ports/http';

/** A response whose headers are parsed only if someone reads them (checks, captures). */
export class ParsedResult implements HttpResult {
  private parsed: Record<string, string> | undefined;
  readonly errorKind?: ErrorKind;
  constructor(
    readonly status: number,
    private readonly head: Buffer,
    readonly body: string,
    readonly bytesIn: number,
    readonly bytesOut: number,
    errorKind: ErrorKind | undefined,
  ) {
    if (errorKind) this.errorKind = errorKind;
  }
  get headers(): Record<string, string> {
    this.parsed ??= parseHeaders(this.head.toString('latin1'));
    return this.parsed;
  }
}

/** All headers, names lower-cased; repeated headers joined with ", ". */
export function parseHeaders(head: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const lines = head.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}
