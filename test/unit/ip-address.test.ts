import { describe, expect, it } from 'vitest';
import { formatRange, type IpRange, inRange, parseIp, parseRange } from '../../lambdas/core/tests/ip-address';

const v4 = (a: number, b: number, c: number, d: number) =>
  (BigInt(a) << 24n) | (BigInt(b) << 16n) | (BigInt(c) << 8n) | BigInt(d);
/** 128-bit value from eight 16-bit groups. */
const v6 = (...groups: number[]) => groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);

function range(text: string): IpRange {
  const r = parseRange(text);
  if (!r) throw new Error(`test setup: ${text} is not a range`);
  return r;
}
function ip(text: string) {
  const a = parseIp(text);
  if (!a) throw new Error(`test setup: ${text} is not an address`);
  return a;
}

describe('parseIp: IPv4', () => {
  it.each([
    ['0.0.0.0', 0n],
    ['127.0.0.1', v4(127, 0, 0, 1)],
    ['10.20.30.40', v4(10, 20, 30, 40)],
    ['255.255.255.255', 0xffffffffn],
    ['1.0.0.0', v4(1, 0, 0, 0)],
  ])('%s parses to its 32-bit value', (text, value) => {
    expect(parseIp(text)).toEqual({ version: 4, value });
  });

  it.each([
    ['010.0.0.1', 'leading zero (octal ambiguity)'],
    ['10.0.0.01', 'leading zero in the last octet'],
    ['00.0.0.0', 'double zero'],
    ['256.0.0.1', 'octet above 255'],
    ['1.2.3.256', 'last octet above 255'],
    ['1.2.3', 'three octets'],
    ['1.2.3.4.5', 'five octets'],
    ['1..2.3', 'empty octet'],
    ['1.2.3.4.', 'trailing dot'],
    ['1.2.3.-4', 'negative octet'],
    ['1.2.3.0x4', 'hex octet'],
    ['1234.1.1.1', 'four digits'],
    [' 1.2.3.4', 'leading space'],
    ['2130706433', 'bare decimal number'],
    ['', 'empty string'],
    ['example.com', 'a host name'],
  ])('%s is rejected (%s)', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe('parseIp: IPv6', () => {
  it.each([
    ['::', 0n],
    ['::1', 1n],
    ['2001:db8:0:0:0:0:0:1', v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)],
    ['2001:0db8:85a3:0000:0000:8a2e:0370:7334', v6(0x2001, 0xdb8, 0x85a3, 0, 0, 0x8a2e, 0x370, 0x7334)],
    ['2001:db8:85a3::8a2e:370:7334', v6(0x2001, 0xdb8, 0x85a3, 0, 0, 0x8a2e, 0x370, 0x7334)],
    ['2001:db8::1', v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)],
    ['1:2:3:4:5:6:7::', v6(1, 2, 3, 4, 5, 6, 7, 0)],
    ['fe80::', v6(0xfe80, 0, 0, 0, 0, 0, 0, 0)],
    ['::2:3:4:5:6:7:8', v6(0, 2, 3, 4, 5, 6, 7, 8)],
    ['FE80::ABCD', v6(0xfe80, 0, 0, 0, 0, 0, 0, 0xabcd)],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', (1n << 128n) - 1n],
  ])('%s parses to its 128-bit value', (text, value) => {
    expect(parseIp(text)).toEqual({ version: 6, value });
  });

  it('compressed and full forms of one address are equal', () => {
    expect(parseIp('2001:db8:0:0:1:0:0:1')).toEqual(parseIp('2001:db8::1:0:0:1'));
    expect(parseIp('0:0:0:0:0:0:0:1')).toEqual(parseIp('::1'));
  });

  it('accepts brackets, as in a URL host', () => {
    expect(parseIp('[::1]')).toEqual({ version: 6, value: 1n });
    expect(parseIp('[2001:db8::1]')).toEqual(parseIp('2001:db8::1'));
  });

  it('drops a zone id', () => {
    expect(parseIp('fe80::1%eth0')).toEqual({ version: 6, value: v6(0xfe80, 0, 0, 0, 0, 0, 0, 1) });
    expect(parseIp('[fe80::1%eth0]')).toEqual(parseIp('fe80::1'));
  });

  it('unwraps IPv4-mapped addresses (dotted or hex tail) to IPv4', () => {
    expect(parseIp('::ffff:1.2.3.4')).toEqual({ version: 4, value: v4(1, 2, 3, 4) });
    expect(parseIp('::ffff:169.254.169.254')).toEqual(parseIp('169.254.169.254'));
    expect(parseIp('::ffff:a9fe:a9fe')).toEqual({ version: 4, value: v4(169, 254, 169, 254) });
    expect(parseIp('0:0:0:0:0:ffff:7f00:1')).toEqual({ version: 4, value: v4(127, 0, 0, 1) });
    expect(parseIp('[::ffff:127.0.0.1]')).toEqual({ version: 4, value: v4(127, 0, 0, 1) });
  });

  it('keeps other dotted tails (NAT64, IPv4-compatible) as IPv6', () => {
    expect(parseIp('64:ff9b::1.2.3.4')).toEqual({
      version: 6,
      value: v6(0x64, 0xff9b, 0, 0, 0, 0, 0x102, 0x304),
    });
    expect(parseIp('::1.2.3.4')).toEqual({ version: 6, value: v4(1, 2, 3, 4) });
    expect(parseIp('1:2:3:4:5:6:1.2.3.4')).toEqual({ version: 6, value: v6(1, 2, 3, 4, 5, 6, 0x102, 0x304) });
  });

  it.each([
    [':::', 'triple colon'],
    ['1:2:3:4:5:6:7:8:9', 'nine groups'],
    ['1:2:3:4:5:6:7:8::', 'eight groups plus ::'],
    ['1:2:3:4:5:6:7', 'seven groups without ::'],
    ['1::2::3', 'two ::'],
    ['::1::', 'two :: at the ends'],
    ['12345::1', 'hex group of 5 digits'],
    ['g::1', 'non-hex digit'],
    [':1:2:3:4:5:6:7', 'single leading colon'],
    ['1:2:3:4:5:6:7:', 'single trailing colon'],
    ['::ffff:1.2.3', 'short dotted tail'],
    ['::ffff:256.1.1.1', 'dotted tail octet above 255'],
    ['::ffff:01.2.3.4', 'dotted tail with a leading zero'],
    ['1.2.3.4::', 'dotted part not at the end'],
    ['1:2:3:4:5:6:7:1.2.3.4', 'dotted tail making nine groups'],
    ['[::1', 'unbalanced bracket'],
  ])('%s is rejected (%s)', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});

describe('parseRange', () => {
  it('parses an IPv4 CIDR', () => {
    expect(parseRange('10.0.0.0/8')).toEqual({ version: 4, base: v4(10, 0, 0, 0), prefix: 8 });
    expect(parseRange('172.16.0.0/12')).toEqual({ version: 4, base: v4(172, 16, 0, 0), prefix: 12 });
  });

  it('masks off host bits', () => {
    expect(parseRange('10.1.2.3/8')).toEqual({ version: 4, base: v4(10, 0, 0, 0), prefix: 8 });
    expect(parseRange('192.168.255.255/17')).toEqual({ version: 4, base: v4(192, 168, 128, 0), prefix: 17 });
    expect(parseRange('fe80::1/10')).toEqual({
      version: 6,
      base: v6(0xfe80, 0, 0, 0, 0, 0, 0, 0),
      prefix: 10,
    });
    expect(parseRange('2001:db8:ffff::1/32')).toEqual({
      version: 6,
      base: v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
      prefix: 32,
    });
  });

  it('treats a bare address as a single-address range', () => {
    expect(parseRange('203.0.113.7')).toEqual({ version: 4, base: v4(203, 0, 113, 7), prefix: 32 });
    expect(parseRange('::1')).toEqual({ version: 6, base: 1n, prefix: 128 });
    expect(parseRange('[::1]')).toEqual({ version: 6, base: 1n, prefix: 128 });
  });

  it('accepts the prefix bounds', () => {
    expect(parseRange('1.2.3.4/0')).toEqual({ version: 4, base: 0n, prefix: 0 });
    expect(parseRange('1.2.3.4/32')).toEqual({ version: 4, base: v4(1, 2, 3, 4), prefix: 32 });
    expect(parseRange('2001:db8::1/0')).toEqual({ version: 6, base: 0n, prefix: 0 });
    expect(parseRange('2001:db8::1/128')).toEqual({
      version: 6,
      base: v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1),
      prefix: 128,
    });
  });

  it('parses an IPv6 CIDR', () => {
    expect(parseRange('fd00::/8')).toEqual({ version: 6, base: v6(0xfd00, 0, 0, 0, 0, 0, 0, 0), prefix: 8 });
    expect(parseRange('64:ff9b::/96')).toEqual({
      version: 6,
      base: v6(0x64, 0xff9b, 0, 0, 0, 0, 0, 0),
      prefix: 96,
    });
  });

  it.each([
    ['10.0.0.0/33', 'IPv4 prefix above 32'],
    ['::/129', 'IPv6 prefix above 128'],
    ['10.0.0.0/-1', 'negative prefix'],
    ['10.0.0.0/', 'empty prefix'],
    ['10.0.0.0/8/8', 'two prefixes'],
    ['10.0.0.0/a', 'non-numeric prefix'],
    ['10.0.0.0/8.5', 'fractional prefix'],
    ['10.0.0.0/1000', 'four-digit prefix'],
    ['10.0.0.0/ 8', 'space in prefix'],
    ['/8', 'no address'],
    ['010.0.0.0/8', 'invalid address'],
    ['example.com/8', 'host name'],
    ['', 'empty'],
  ])('%s is rejected (%s)', (text) => {
    expect(parseRange(text)).toBeUndefined();
  });
});

describe('inRange', () => {
  it('checks IPv4 containment at the range boundaries', () => {
    const r = range('172.16.0.0/12');
    expect(inRange(ip('172.16.0.0'), r)).toBe(true);
    expect(inRange(ip('172.31.255.255'), r)).toBe(true);
    expect(inRange(ip('172.15.255.255'), r)).toBe(false);
    expect(inRange(ip('172.32.0.0'), r)).toBe(false);
  });

  it('checks IPv6 containment at the range boundaries', () => {
    const r = range('2001:db8::/32');
    expect(inRange(ip('2001:db8::'), r)).toBe(true);
    expect(inRange(ip('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'), r)).toBe(true);
    expect(inRange(ip('2001:db9::'), r)).toBe(false);
    expect(inRange(ip('2001:db7:ffff::'), r)).toBe(false);
  });

  it('a /0 covers every address of its own version only', () => {
    expect(inRange(ip('1.2.3.4'), range('0.0.0.0/0'))).toBe(true);
    expect(inRange(ip('255.255.255.255'), range('0.0.0.0/0'))).toBe(true);
    expect(inRange(ip('::1'), range('0.0.0.0/0'))).toBe(false);
    expect(inRange(ip('2001:db8::1'), range('::/0'))).toBe(true);
    expect(inRange(ip('1.2.3.4'), range('::/0'))).toBe(false);
  });

  it('never matches across versions, even for equal numeric values', () => {
    // ::1.2.3.4 (IPv4-compatible) has the same low 32 bits as 1.2.3.4 but is IPv6.
    expect(inRange(ip('::1.2.3.4'), range('1.2.3.4/32'))).toBe(false);
    expect(inRange(ip('::1'), range('0.0.0.1/32'))).toBe(false);
  });

  it('matches IPv4-mapped IPv6 addresses against IPv4 ranges', () => {
    expect(inRange(ip('::ffff:10.9.8.7'), range('10.0.0.0/8'))).toBe(true);
    expect(inRange(ip('::ffff:10.9.8.7'), range('::/0'))).toBe(false);
  });

  it('a /32 or /128 matches exactly one address', () => {
    expect(inRange(ip('169.254.169.254'), range('169.254.169.254'))).toBe(true);
    expect(inRange(ip('169.254.169.253'), range('169.254.169.254'))).toBe(false);
    expect(inRange(ip('::1'), range('::1'))).toBe(true);
    expect(inRange(ip('::2'), range('::1'))).toBe(false);
  });
});

describe('formatRange', () => {
  it('prints IPv4 ranges with the masked base', () => {
    expect(formatRange(range('10.1.2.3/8'))).toBe('10.0.0.0/8');
    expect(formatRange(range('192.168.1.1'))).toBe('192.168.1.1/32');
    expect(formatRange(range('0.0.0.0/0'))).toBe('0.0.0.0/0');
  });

  it('prints IPv6 ranges as eight hex groups', () => {
    expect(formatRange(range('fd00::/8'))).toBe('fd00:0:0:0:0:0:0:0/8');
    expect(formatRange(range('::1'))).toBe('0:0:0:0:0:0:0:1/128');
    expect(formatRange(range('2001:db8:abcd:12::1/64'))).toBe('2001:db8:abcd:12:0:0:0:0/64');
  });

  it.each(['10.0.0.0/8', '203.0.113.7', '100.64.0.0/10', 'fe80::/10', '2001:db8::1', '::/0'])(
    'round-trips %s through parseRange',
    (text) => {
      const r = range(text);
      expect(parseRange(formatRange(r))).toEqual(r);
    },
  );
});
