/** DNS port: every address a host name resolves to (IPv4 and IPv6), or the literal itself for an IP. */
export interface HostResolver {
  /** Rejects with an Error whose `code` is the resolver's (ENOTFOUND …) when the name does not resolve. */
  resolve(host: string): Promise<readonly string[]>;
}
