/**
 * IPv4/IPv6 literals and CIDR ranges as bigints, written here because core may not use node:net.
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are unwrapped to IPv4 so they cannot dodge a rule.
 */

export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

export interface IpRange {
  readonly version: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(text: string): bigint | undefined {
  let s = text;
  if (s.includes('.')) {
    // Dotted IPv4 tail (::ffff:1.2.3.4): rewrite it as two hex groups.
    const at = s.lastIndexOf(':');
    const v4 = parseV4(s.slice(at + 1));
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, at + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string | undefined) => (h ? h.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const all = [...head, ...Array<string>(8 - count).fill('0'), ...tail];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    v = (v << 16n) | BigInt(`0x${g}`);
  }
  return v;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** Parses an IP literal (IPv6 may be in brackets or carry a %zone); undefined when it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const v4 = parseV4(bare);
  if (v4 !== undefined) return { version: 4, value: v4 };
  if (!bare.includes(':')) return undefined;
  const v6 = parseV6(bare);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { version: 4, value: v6 - MAPPED_PREFIX };
  return { version: 6, value: v6 };
}

/** Parses "10.0.0.0/8", "fd00::/8" or a single address (a /32 or /128). */
export function parseRange(text: string): IpRange | undefined {
  const [addr, bits, extra] = text.split('/');
  if (addr === undefined || extra !== undefined) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const width = ip.version === 4 ? 32 : 128;
  const prefix = bits === undefined ? width : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  if (!(prefix >= 0 && prefix <= width)) return undefined;
  const shift = BigInt(width - prefix);
  return { version: ip.version, base: (ip.value >> shift) << shift, prefix };
}

export function inRange(ip: IpAddress, range: IpRange): boolean {
  if (ip.version !== range.version) return false;
  const shift = BigInt((ip.version === 4 ? 32 : 128) - range.prefix);
  return ip.value >> shift === range.base >> shift;
}

export function formatRange(r: IpRange): string {
  const width = r.version === 4 ? 32 : 128;
  if (r.version === 4) {
    const octets = [24n, 16n, 8n, 0n].map((s) => String((r.base >> s) & 0xffn));
    return `${octets.join('.')}/${r.prefix}`;
  }
  const words = Array.from({ length: 8 }, (_, i) =>
    ((r.base >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  );
  return `${words.join(':')}/${r.prefix === width ? 128 : r.prefix}`;
}
