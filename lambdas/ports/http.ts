import type { ErrorKind } from '../model/window';
/** HTTP transport port: one client per virtual user, each keeping its own keep-alive connections. */

export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly timeoutMs: number;
  /** Keep the response body text (for checks and captures); otherwise it is only counted. */
  readonly keepBody: boolean;
}

export interface HttpResult {
  /** 0 when no response arrived. */
  readonly status: number;
  /** Lower-cased header names; empty when no response arrived. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Set for transport failures and for 4xx / 5xx responses. */
  readonly errorKind?: ErrorKind;
  readonly errorMessage?: string;
}

export interface HttpClient {
  /** Sends one request; never rejects: transport failures come back classified in `errorKind`. */
  send(request: HttpRequest, signal?: AbortSignal): Promise<HttpResult>;
  /** Closes every connection of this client. */
  close(): void;
}

export interface HttpTransport {
  /** A client for one virtual user. */
  createClient(): HttpClient;
}

export interface TransportOptions {
  readonly connectTimeoutMs: number;
  readonly insecureSkipTLSVerify: boolean;
  /** Largest response body kept for checks and captures; a larger one fails the request (kind "other"). */
  readonly maxResponseBodyBytes?: number;
}
