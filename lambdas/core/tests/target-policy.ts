import type { TestDefinition } from '../../model/definition';
import type { TargetPolicy } from '../../model/target-policy';
import type { HostResolver } from '../../ports/host-resolver';
import { PlatformError } from './errors';
import { type IpAddress, type IpRange, inRange, parseIp, parseRange } from './ip-address';

interface CompiledPolicy {
  readonly names: readonly ((host: string) => boolean)[];
  readonly ranges: readonly IpRange[];
  readonly anyPublic: boolean;
}

const SPECIAL: readonly (readonly [string, string])[] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF special-purpose'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'IPv4-compatible (embeds an IPv4 address)'],
  ['100::/64', 'discard'],
  ['64:ff9b:1::/48', 'local NAT64 (embeds an IPv4 address)'],
  ['2001::/32', 'Teredo (embeds an IPv4 address)'],
  ['fec0::/10', 'site-local'],
  ['64:ff9b::/96', 'NAT64 (embeds an IPv4 address)'],
  ['2002::/16', '6to4 (embeds an IPv4 address)'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'private (unique local)'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
];
/** Instance/task metadata services of AWS (IPv4, IPv6, ECS, EKS Pod Identity), Alibaba, Oracle. */
const METADATA = [
  '169.254.169.254',
  'fd00:ec2::254',
  '169.254.170.2',
  '169.254.170.23',
  'fd00:ec2::23',
  '100.100.100.200',
  '192.0.0.192',
];

const specialRanges = SPECIAL.map(([cidr, label]) => ({ range: parseRange(cidr) as IpRange, label }));
const metadata = METADATA.map((a) => parseIp(a) as IpAddress);
const LOOPBACK = ['127.0.0.0/8', '::1/128'].map((c) => parseRange(c) as IpRange);

const HOST_PATTERN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/**
 * URL parsers read a host whose last label is a number as IPv4 ("10.0.0.256" fails, "010.0.0.1"
 * becomes 8.0.0.1), so no URL host could ever match such a name entry: it is a typo, not a name.
 */
const ENDS_IN_NUMBER = /(^|\.)\d+$/;
const isHostName = (entry: string) => HOST_PATTERN.test(entry) && !ENDS_IN_NUMBER.test(entry);

/** Problems with the entries themselves (for configuration validation); empty when all are valid. */
export function policyProblems(policy: TargetPolicy): string[] {
  return policy.allowedTargets.flatMap((e) =>
    e === 'loopback' || e === 'public' || parseRange(e) || isHostName(e.toLowerCase())
      ? []
      : [`${JSON.stringify(e)} is not a host name, *.domain, IP address, CIDR range, "loopback" or "public"`],
  );
}

function compile(policy: TargetPolicy): CompiledPolicy {
  const names: ((host: string) => boolean)[] = [];
  const ranges: IpRange[] = [];
  let anyPublic = false;
  for (const raw of policy.allowedTargets) {
    const entry = raw.toLowerCase();
    const range = parseRange(entry);
    if (entry === 'public') anyPublic = true;
    else if (entry === 'loopback')
      ranges.push(...LOOPBACK); // by address only: `localhost` passes because it resolves to loopback
    else if (range) ranges.push(range);
    else if (entry.startsWith('*.')) names.push((h) => h.endsWith(entry.slice(1)));
    else names.push((h) => h === entry);
  }
  return { names, ranges, anyPublic };
}

const normalHost = (host: string) =>
  host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();

/**
 * Why a connection to `address` (which `host` resolved to) is refused, or undefined when allowed.
 * Build once with `addressGuard(policy)`; call per connection.
 */
export function addressGuard(policy: TargetPolicy): (host: string, address: string) => string | undefined {
  const p = compile(policy);
  return (rawHost, address) => {
    const host = normalHost(rawHost);
    const ip = parseIp(address);
    if (!ip) return `${address} is not an IP address`;
    const listed = p.ranges.filter((r) => inRange(ip, r));
    if (metadata.some((m) => m.version === ip.version && m.value === ip.value)) {
      const exact = listed.some((r) => r.prefix === (ip.version === 4 ? 32 : 128));
      return exact ? undefined : `${address} is a cloud metadata endpoint`;
    }
    const special = specialRanges.find((s) => inRange(ip, s.range));
    if (special)
      return listed.length > 0
        ? undefined
        : `${address} is in a ${special.label} range that is not explicitly allowed`;
    if (listed.length > 0 || p.anyPublic || p.names.some((m) => m(host))) return undefined;
    return `${host} is not in the allow-list`;
  };
}

/** Distinct hosts one test may name: each is resolved while the client waits. */
const MAX_HOSTS = 20;

export interface TargetProblem {
  readonly target: string;
  readonly host: string;
  readonly addresses: readonly string[];
  readonly reason: string;
}

/** Every static target of a definition: baseUrl and absolute request URLs without placeholders in the host. */
export function targetsOf(definition: TestDefinition): string[] {
  const urls = new Set<string>();
  if (definition.baseUrl) urls.add(definition.baseUrl);
  for (const scenario of Object.values(definition.scenarios))
    for (const flow of scenario.flows)
      for (const step of flow.requests) {
        if (step.url === undefined) continue;
        const origin = /^(https?:\/\/[^/?#]*)/i.exec(step.url)?.[1];
        if (origin && !origin.includes('${')) urls.add(step.url);
      }
  return [...urls];
}

/**
 * Checks every static target against the policy after resolving it; throws E_TARGET_NOT_ALLOWED
 * listing every refused target. Hosts built from captured values are checked when connecting.
 */
export async function assertTargetsAllowed(
  policy: TargetPolicy,
  resolver: HostResolver,
  definition: TestDefinition,
): Promise<void> {
  const guard = addressGuard(policy);
  const hosts = new Map<string, string>();
  const problems: TargetProblem[] = [];
  for (const target of targetsOf(definition)) {
    let host: string;
    try {
      host = normalHost(new URL(target).hostname);
    } catch {
      problems.push({
        target,
        host: '',
        addresses: [],
        reason: `${JSON.stringify(target)} is not a valid URL`,
      });
      continue;
    }
    if (!hosts.has(host)) hosts.set(host, target);
  }
  if (hosts.size > MAX_HOSTS)
    throw new PlatformError(
      'E_TARGET_NOT_ALLOWED',
      `the test names ${hosts.size} distinct hosts; at most ${MAX_HOSTS} are checked per test`,
      { hosts: [...hosts.keys()].sort() },
    );
  await Promise.all(
    [...hosts].map(async ([host, target]) => {
      let addresses: readonly string[];
      try {
        addresses = parseIp(host) ? [host] : await resolver.resolve(host);
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'ERROR';
        problems.push({ target, host, addresses: [], reason: `${host} does not resolve (${code})` });
        return;
      }
      if (addresses.length === 0)
        problems.push({ target, host, addresses, reason: `${host} resolves to no address` });
      const reasons = [...new Set(addresses.map((a) => guard(host, a)).filter((r) => r !== undefined))];
      if (reasons.length > 0) problems.push({ target, host, addresses, reason: reasons.join('; ') });
    }),
  );
  if (problems.length > 0) {
    // Lookups finish in any order: sort before building the message too, so it is deterministic.
    problems.sort((a, b) => a.host.localeCompare(b.host));
    throw new PlatformError(
      'E_TARGET_NOT_ALLOWED',
      `target not allowed: ${problems.map((p) => p.reason).join('; ')}`,
      { problems },
    );
  }
}
