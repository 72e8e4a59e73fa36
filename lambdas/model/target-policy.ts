/**
 * Which hosts load tests may hit. Entries of `allowedTargets`:
 * - a host name, or `*.example.com` (any subdomain, not the apex);
 * - an IP address or CIDR range (`203.0.113.7`, `10.1.0.0/16`, `fd12::/16`);
 * - `loopback`: 127.0.0.0/8 and ::1 (so `localhost`, by what it resolves to);
 * - `public`: any host whose every address is a public one.
 * Names are only half the rule: every address a name resolves to is checked too. Private, loopback,
 * link-local, CGNAT, multicast, reserved and NAT64/6to4 ranges pass only when an IP/CIDR entry (or
 * `loopback`) covers the address; cloud metadata endpoints only when listed as that exact address.
 * The check runs when a test is submitted and again on every connection a worker opens, on the
 * addresses it actually connects to, so DNS rebinding cannot slip a private address in later.
 */
export interface TargetPolicy {
  readonly allowedTargets: readonly string[];
}
