import dns from 'node:dns';
import type net from 'node:net';
import { ThroughlineError } from '../../model/errors';

/** Decides per connection: the reason a (host, resolved address) pair is refused, or undefined. */
export type AddressCheck = (host: string, address: string) => string | undefined;

export class TargetRefusedError extends ThroughlineError {
  constructor(message: string) {
    super('E_TARGET_NOT_ALLOWED', message);
    this.name = 'TargetRefusedError';
  }
}

/**
 * A `lookup` for net/tls.connect that resolves like dns.lookup and refuses the connection when any
 * address fails the check: the allow-list applies to the address actually dialled, so a name that
 * re-resolves to a private or metadata address mid-test (DNS rebinding) is stopped at connect.
 */
export function guardedLookup(check: AddressCheck): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.map((a) => check(hostname, a.address)).find((r) => r !== undefined);
      if (refused)
        return callback(
          new TargetRefusedError(`connection refused by the target allow-list: ${refused}`),
          '',
          0,
        );
      if (options.all)
        return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

/** The same check for a host given as an IP literal (connect skips lookup for those). */
export function refusedLiteral(check: AddressCheck, host: string): TargetRefusedError | undefined {
  const reason = check(host, host);
  return reason
    ? new TargetRefusedError(`connection refused by the target allow-list: ${reason}`)
    : undefined;
}
