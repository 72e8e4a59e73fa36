import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { guardedLookup, refusedLiteral, TargetRefusedError } from '../../lambdas/adapters/node/address-guard';
import { createNodeTransport } from '../../lambdas/adapters/node/http-transport';
import { parseTestDefinition } from '../../lambdas/core/load/validate';
import { PlatformError } from '../../lambdas/core/tests/errors';
import {
  addressGuard,
  assertTargetsAllowed,
  policyProblems,
  type TargetProblem,
  targetsOf,
} from '../../lambdas/core/tests/target-policy';
import type { TestDefinition } from '../../lambdas/model/definition';
import type { TargetPolicy } from '../../lambdas/model/target-policy';
import type { HostResolver } from '../../lambdas/ports/host-resolver';
import type { HttpClient, HttpRequest } from '../../lambdas/ports/http';
import { startHttp, type TestServer } from '../helpers/http-servers';

const guardOf = (...allowedTargets: string[]) => addressGuard({ allowedTargets });

/** A definition whose one scenario sends to each target: a "/path" (on baseUrl) or an absolute URL. */
function definition(baseUrl: string | undefined, ...targets: string[]): TestDefinition {
  const requests = (targets.length > 0 ? targets : ['/']).map((t) =>
    t.startsWith('/') ? { path: t } : { url: t },
  );
  return parseTestDefinition({
    ...(baseUrl === undefined ? {} : { baseUrl }),
    scenarios: { s: { executor: 'constant-vus', duration: '1s', requests } },
  }).definition;
}

/**
 * DNS answers under the test's control: a name maps to its addresses or to the error it fails with;
 * a name not listed fails like getaddrinfo does (code ENOTFOUND).
 */
class FakeResolver implements HostResolver {
  readonly calls: string[] = [];
  constructor(
    private readonly answers: Readonly<Record<string, readonly string[] | Error>>,
    /** Hosts answered one after another in this order, whatever order they were asked in. */
    private readonly answerOrder: readonly string[] = [],
  ) {}
  private readonly answered = new Map<string, Deferred>();
  async resolve(host: string): Promise<readonly string[]> {
    this.calls.push(host);
    const turn = this.answerOrder.indexOf(host);
    const previous = turn > 0 ? this.answerOrder[turn - 1] : undefined;
    if (previous !== undefined) await this.gate(previous).promise;
    try {
      const answer = this.answers[host];
      if (answer === undefined)
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      if (answer instanceof Error) throw answer;
      return answer;
    } finally {
      this.gate(host).resolve();
    }
  }
  private gate(host: string): Deferred {
    let d = this.answered.get(host);
    if (!d) {
      d = deferred();
      this.answered.set(host, d);
    }
    return d;
  }
}
interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}
function deferred(): Deferred {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function refusal(policy: TargetPolicy, resolver: HostResolver, def: TestDefinition) {
  try {
    await assertTargetsAllowed(policy, resolver, def);
  } catch (err) {
    if (!(err instanceof PlatformError)) throw err;
    return { error: err, problems: (err.details as { problems: TargetProblem[] }).problems };
  }
  throw new Error('expected assertTargetsAllowed to refuse');
}

describe('addressGuard: the default local policy ["loopback"]', () => {
  const guard = guardOf('loopback');

  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['127.8.9.10', '127.8.9.10'],
    ['::1', '::1'],
    ['[::1]', '::1'],
    ['localhost', '127.0.0.1'],
    ['localhost', '::1'],
    ['LOCALHOST.', '127.0.0.1'],
  ])('allows %s at %s', (host, address) => {
    expect(guard(host, address)).toBeUndefined();
  });

  it.each([
    ['10.0.0.1', /private range/],
    ['192.168.1.1', /private range/],
    ['172.16.0.1', /private range/],
    ['172.31.255.254', /private range/],
    ['100.64.0.1', /carrier-grade NAT range/],
    ['169.254.1.1', /link-local range/],
    ['0.0.0.0', /unspecified range/],
    ['224.0.0.1', /multicast range/],
    ['240.0.0.1', /reserved range/],
    ['255.255.255.255', /reserved range/],
    ['198.18.0.1', /benchmarking range/],
    ['192.0.2.1', /documentation range/],
    ['::', /unspecified range/],
    ['fd12:3456::1', /private \(unique local\) range/],
    ['fe80::1', /link-local range/],
    ['ff02::1', /multicast range/],
    ['64:ff9b::a00:1', /NAT64/],
    ['2002:a00:1::', /6to4/],
    ['::ffff:10.0.0.1', /private range/],
    ['::ffff:127.0.0.1', undefined],
  ])('at %s: %s', (address, reason) => {
    const refused = guard(address, address);
    if (reason === undefined) expect(refused).toBeUndefined();
    else expect(refused).toMatch(reason);
    if (reason) expect(refused).toContain('not explicitly allowed');
  });

  it.each(['169.254.169.254', 'fd00:ec2::254', '::ffff:169.254.169.254', '169.254.170.2', '100.100.100.200'])(
    'refuses the cloud metadata endpoint %s as such',
    (address) => {
      expect(guard(address, address)).toBe(`${address} is a cloud metadata endpoint`);
      expect(guard('localhost', address)).toBe(`${address} is a cloud metadata endpoint`);
    },
  );

  it('refuses a public address it does not list', () => {
    expect(guard('93.184.216.34', '93.184.216.34')).toBe('93.184.216.34 is not in the allow-list');
    expect(guard('Example.COM', '93.184.216.34')).toBe('example.com is not in the allow-list');
  });

  it('refuses a private address even for a loopback name', () => {
    expect(guard('localhost', '10.0.0.5')).toMatch(/10\.0\.0\.5 is in a private range/);
  });

  it('refuses what is not an IP address', () => {
    expect(guard('localhost', 'localhost')).toBe('localhost is not an IP address');
  });
});

describe('addressGuard: an empty policy', () => {
  it('refuses loopback too', () => {
    expect(guardOf()('127.0.0.1', '127.0.0.1')).toMatch(/loopback range/);
    expect(guardOf()('localhost', '::1')).toMatch(/loopback range/);
  });
});

describe('addressGuard: host name entries', () => {
  it('allow the name when it resolves to a public address', () => {
    const guard = guardOf('api.example.com');
    expect(guard('api.example.com', '93.184.216.34')).toBeUndefined();
    expect(guard('API.Example.com.', '2606:2800:220:1::1')).toBeUndefined();
    expect(guard('other.example.com', '93.184.216.34')).toBe('other.example.com is not in the allow-list');
  });

  it('do not allow the name at a private address (DNS rebinding)', () => {
    const guard = guardOf('api.example.com');
    expect(guard('api.example.com', '10.0.0.7')).toMatch(/10\.0\.0\.7 is in a private range/);
    expect(guard('api.example.com', '127.0.0.1')).toMatch(/loopback range/);
    expect(guard('api.example.com', '169.254.169.254')).toMatch(/metadata/);
    expect(guard('api.example.com', '::ffff:192.168.0.1')).toMatch(/private range/);
  });

  it('allow a private address only when a CIDR entry covers it', () => {
    const guard = guardOf('api.example.com', '10.0.0.0/8');
    expect(guard('api.example.com', '10.0.0.7')).toBeUndefined();
    expect(guard('api.example.com', '::ffff:10.0.0.7')).toBeUndefined();
    expect(guard('api.example.com', '192.168.0.7')).toMatch(/private range/);
  });

  it('are case-insensitive', () => {
    expect(guardOf('API.EXAMPLE.COM')('api.example.com', '93.184.216.34')).toBeUndefined();
  });

  it('*.domain matches subdomains only, not the apex nor look-alikes', () => {
    const guard = guardOf('*.example.com');
    expect(guard('sub.example.com', '93.184.216.34')).toBeUndefined();
    expect(guard('a.b.example.com', '93.184.216.34')).toBeUndefined();
    expect(guard('example.com', '93.184.216.34')).toBe('example.com is not in the allow-list');
    expect(guard('evil-example.com', '93.184.216.34')).toBe('evil-example.com is not in the allow-list');
    expect(guard('example.com.evil.net', '93.184.216.34')).toBe(
      'example.com.evil.net is not in the allow-list',
    );
    expect(guard('sub.example.com', '192.168.1.1')).toMatch(/private range/);
  });
});

describe('addressGuard: IP and CIDR entries', () => {
  it('allow any host at a covered address', () => {
    const guard = guardOf('203.0.113.0/24', '2001:db8::/32', '93.184.216.34');
    expect(guard('anything.test', '203.0.113.200')).toBeUndefined();
    expect(guard('anything.test', '2001:db8::5')).toBeUndefined();
    expect(guard('anything.test', '93.184.216.34')).toBeUndefined();
    expect(guard('anything.test', '93.184.216.35')).toBe('anything.test is not in the allow-list');
    expect(guard('anything.test', '203.0.114.1')).toBe('anything.test is not in the allow-list');
  });
});

describe('addressGuard: "public"', () => {
  const guard = guardOf('public');

  it('allows any host at a public address', () => {
    expect(guard('any.example.org', '93.184.216.34')).toBeUndefined();
    expect(guard('93.184.216.34', '93.184.216.34')).toBeUndefined();
    expect(guard('any.example.org', '2606:4700:4700::1111')).toBeUndefined();
  });

  it.each([
    ['10.0.0.1', /private range/],
    ['127.0.0.1', /loopback range/],
    ['::1', /loopback range/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['64:ff9b::a9fe:a9fe', /NAT64/],
    ['169.254.169.254', /cloud metadata endpoint/],
    ['fd00:ec2::254', /cloud metadata endpoint/],
  ])('still refuses %s', (address, reason) => {
    expect(guard('any.example.org', address)).toMatch(reason);
  });
});

describe('addressGuard: cloud metadata endpoints', () => {
  it('are allowed when listed as that exact address', () => {
    expect(guardOf('169.254.169.254')('169.254.169.254', '169.254.169.254')).toBeUndefined();
    expect(guardOf('169.254.169.254/32')('x.internal', '169.254.169.254')).toBeUndefined();
    expect(guardOf('fd00:ec2::254')('fd00:ec2::254', 'fd00:ec2::254')).toBeUndefined();
    expect(guardOf('169.254.169.254')('x', '::ffff:169.254.169.254')).toBeUndefined();
  });

  it('are not allowed by a range that covers them', () => {
    const guard = guardOf('169.254.0.0/16', '0.0.0.0/0', 'fd00::/8', '100.64.0.0/10');
    expect(guard('x', '169.254.169.254')).toBe('169.254.169.254 is a cloud metadata endpoint');
    expect(guard('x', '169.254.170.2')).toBe('169.254.170.2 is a cloud metadata endpoint');
    expect(guard('x', 'fd00:ec2::254')).toBe('fd00:ec2::254 is a cloud metadata endpoint');
    expect(guard('x', '100.100.100.200')).toBe('100.100.100.200 is a cloud metadata endpoint');
    // The same ranges do allow their other addresses.
    expect(guard('x', '169.254.1.1')).toBeUndefined();
    expect(guard('x', '10.1.2.3')).toBeUndefined();
    expect(guard('x', 'fd00::1')).toBeUndefined();
    expect(guard('x', '100.64.0.1')).toBeUndefined();
  });

  it('listing one endpoint does not allow another', () => {
    expect(guardOf('169.254.169.254')('x', '169.254.170.2')).toMatch(/metadata/);
  });
});

describe('policyProblems', () => {
  it('accepts every valid kind of entry', () => {
    expect(
      policyProblems({
        allowedTargets: [
          'loopback',
          'public',
          'example.com',
          'API.Example.com',
          'localhost',
          '*.example.com',
          'a-b.c-d.example',
          '10.0.0.0/8',
          'fd12::/16',
          '203.0.113.7',
          '::1',
          '[::1]',
          '::ffff:10.1.2.3',
        ],
      }),
    ).toEqual([]);
  });

  it('lists every bad entry, in order', () => {
    const bad = [
      'http://example.com',
      'example.com:8080',
      'example.com/path',
      '10.0.0.0/33',
      'fd00::/129',
      '',
      '*.',
      '*',
      'api.*.example.com',
      '**.example.com',
      '-bad.example.com',
      'exa mple.com',
      'under_score.example.com',
      `${'a'.repeat(64)}.example.com`,
      'example.com.',
      '10.0.0.256',
      '010.0.0.1',
    ];
    const problems = policyProblems({ allowedTargets: ['ok.example.com', ...bad, 'loopback'] });
    expect(problems).toEqual(
      bad.map(
        (e) =>
          `${JSON.stringify(e)} is not a host name, *.domain, IP address, CIDR range, "loopback" or "public"`,
      ),
    );
  });
});

describe('targetsOf', () => {
  it('lists baseUrl and every absolute request URL once', () => {
    const def = definition(
      'http://127.0.0.1:8080',
      '/a',
      'https://api.example.com/items',
      'https://api.example.com/items',
      'http://other.example.com:81/x?y=1',
    );
    expect(targetsOf(def)).toEqual([
      'http://127.0.0.1:8080',
      'https://api.example.com/items',
      'http://other.example.com:81/x?y=1',
    ]);
  });

  it('skips URLs whose host holds a ${placeholder}, keeps placeholders after the host', () => {
    const def = definition(
      undefined,
      'http://${host}/a',
      '${base}/b',
      'http://api-${env}.example.com/c',
      'https://api.example.com/items/${id}',
      'https://api.example.com/search?q=${term}',
    );
    expect(targetsOf(def)).toEqual([
      'https://api.example.com/items/${id}',
      'https://api.example.com/search?q=${term}',
    ]);
  });

  it('reads requests of every flow of every scenario', () => {
    const def = parseTestDefinition({
      scenarios: {
        one: {
          executor: 'constant-vus',
          duration: '1s',
          flows: [
            { requests: [{ url: 'http://a.example.com/' }] },
            { requests: [{ url: 'http://b.example.com/' }] },
          ],
        },
        two: { executor: 'shared-iterations', requests: [{ url: 'http://c.example.com/' }] },
      },
    }).definition;
    expect(targetsOf(def)).toEqual([
      'http://a.example.com/',
      'http://b.example.com/',
      'http://c.example.com/',
    ]);
  });
});

describe('assertTargetsAllowed', () => {
  it('passes when every address of every target is allowed', async () => {
    const resolver = new FakeResolver({ 'api.example.com': ['93.184.216.34', '2606:2800:220:1::1'] });
    const def = definition('https://api.example.com', '/a', 'https://api.example.com:8443/b');
    await expect(
      assertTargetsAllowed({ allowedTargets: ['api.example.com'] }, resolver, def),
    ).resolves.toBeUndefined();
    // One lookup per host, whatever the ports and paths.
    expect(resolver.calls).toEqual(['api.example.com']);
  });

  it('does not resolve IP literals, bracketed or not', async () => {
    const resolver = new FakeResolver({});
    const def = definition('http://127.0.0.1:8080', 'http://[::1]:9090/x');
    await expect(
      assertTargetsAllowed({ allowedTargets: ['loopback'] }, resolver, def),
    ).resolves.toBeUndefined();
    expect(resolver.calls).toEqual([]);
  });

  it('refuses a name when one of its addresses is private', async () => {
    const resolver = new FakeResolver({ 'api.example.com': ['93.184.216.34', '10.0.0.9', '93.184.216.35'] });
    const { error, problems } = await refusal(
      { allowedTargets: ['api.example.com'] },
      resolver,
      definition('https://api.example.com'),
    );
    expect(error.code).toBe('E_TARGET_NOT_ALLOWED');
    expect(problems).toEqual([
      {
        target: 'https://api.example.com',
        host: 'api.example.com',
        addresses: ['93.184.216.34', '10.0.0.9', '93.184.216.35'],
        reason: '10.0.0.9 is in a private range that is not explicitly allowed',
      },
    ]);
  });

  it('lists every refused host, sorted by host, with deterministic message order', async () => {
    const resolver = new FakeResolver(
      {
        'api.example.com': ['93.184.216.34', '10.0.0.9', '192.168.0.9'],
        'empty.example.com': [],
        'fine.example.com': ['93.184.216.34'],
        'broken.example.com': new Error('resolver exploded'),
      },
      // Answer in reverse alphabetical order so the problems come in unsorted.
      [
        'missing.example.com',
        'fine.example.com',
        'empty.example.com',
        'broken.example.com',
        'api.example.com',
      ],
    );
    const def = definition(
      'https://api.example.com',
      'https://missing.example.com/x',
      'http://169.254.169.254/latest/meta-data/',
      'https://empty.example.com/',
      'https://fine.example.com/',
      'http://broken.example.com/',
      'http://[fd00:ec2::254]/',
    );
    const { error, problems } = await refusal({ allowedTargets: ['*.example.com'] }, resolver, def);
    expect(error.code).toBe('E_TARGET_NOT_ALLOWED');
    expect(problems).toEqual([
      {
        target: 'http://169.254.169.254/latest/meta-data/',
        host: '169.254.169.254',
        addresses: ['169.254.169.254'],
        reason: '169.254.169.254 is a cloud metadata endpoint',
      },
      {
        target: 'https://api.example.com',
        host: 'api.example.com',
        addresses: ['93.184.216.34', '10.0.0.9', '192.168.0.9'],
        reason:
          '10.0.0.9 is in a private range that is not explicitly allowed; ' +
          '192.168.0.9 is in a private range that is not explicitly allowed',
      },
      {
        target: 'http://broken.example.com/',
        host: 'broken.example.com',
        addresses: [],
        reason: 'broken.example.com does not resolve (ERROR)',
      },
      {
        target: 'https://empty.example.com/',
        host: 'empty.example.com',
        addresses: [],
        reason: 'empty.example.com resolves to no address',
      },
      {
        target: 'http://[fd00:ec2::254]/',
        host: 'fd00:ec2::254',
        addresses: ['fd00:ec2::254'],
        reason: 'fd00:ec2::254 is a cloud metadata endpoint',
      },
      {
        target: 'https://missing.example.com/x',
        host: 'missing.example.com',
        addresses: [],
        reason: 'missing.example.com does not resolve (ENOTFOUND)',
      },
    ]);
    expect(error.message).toBe(`target not allowed: ${problems.map((p) => p.reason).join('; ')}`);
  });

  it('merges identical reasons of one host', async () => {
    const resolver = new FakeResolver({ 'db.example.com': ['10.0.0.1', '10.0.0.1'] });
    const { problems } = await refusal(
      { allowedTargets: ['public'] },
      resolver,
      definition('http://db.example.com'),
    );
    expect(problems.map((p) => p.reason)).toEqual([
      '10.0.0.1 is in a private range that is not explicitly allowed',
    ]);
  });

  it('sees through numeric host spellings a URL parser normalizes', async () => {
    const resolver = new FakeResolver({});
    const def = definition(
      undefined,
      'http://2130706433/',
      'http://0x7f.0.0.2/',
      'http://[::ffff:a9fe:a9fe]/',
    );
    const { problems } = await refusal({ allowedTargets: ['public'] }, resolver, def);
    // localeCompare puts punctuation before digits.
    expect(problems.map((p) => [p.host, p.reason])).toEqual([
      ['::ffff:a9fe:a9fe', '::ffff:a9fe:a9fe is a cloud metadata endpoint'],
      ['127.0.0.1', '127.0.0.1 is in a loopback range that is not explicitly allowed'],
      ['127.0.0.2', '127.0.0.2 is in a loopback range that is not explicitly allowed'],
    ]);
    expect(resolver.calls).toEqual([]);
  });

  it('leaves hosts built from placeholders to the connect-time check', async () => {
    const resolver = new FakeResolver({});
    const def = definition(undefined, 'http://${host}/a', 'http://127.0.0.1/b');
    await expect(
      assertTargetsAllowed({ allowedTargets: ['loopback'] }, resolver, def),
    ).resolves.toBeUndefined();
    expect(resolver.calls).toEqual([]);
  });

  it('strips the trailing dot of a fully qualified name before resolving', async () => {
    const resolver = new FakeResolver({ 'api.example.com': ['93.184.216.34'] });
    const def = definition(undefined, 'http://api.example.com./x');
    await expect(
      assertTargetsAllowed({ allowedTargets: ['api.example.com'] }, resolver, def),
    ).resolves.toBeUndefined();
    expect(resolver.calls).toEqual(['api.example.com']);
  });
});

/** Node's lookup callback as a promise: [address or addresses, family]. */
function lookup(check: ReturnType<typeof addressGuard>, host: string, all: boolean) {
  return new Promise<{ address: unknown; family: unknown }>((resolve, reject) => {
    guardedLookup(check)(host, { all }, (err: Error | null, address: unknown, family?: unknown) =>
      err ? reject(err) : resolve({ address, family }),
    );
  });
}

describe('guardedLookup (real DNS of localhost)', () => {
  it('fails with E_TARGET_NOT_ALLOWED when the check refuses an address', async () => {
    for (const all of [true, false]) {
      const err = await lookup(guardOf(), 'localhost', all).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TargetRefusedError);
      expect(err).toMatchObject({ code: 'E_TARGET_NOT_ALLOWED' });
      expect((err as Error).message).toMatch(
        /^connection refused by the target allow-list: .*loopback range/,
      );
    }
  });

  it('returns every address with all: true', async () => {
    const { address } = await lookup(guardOf('loopback'), 'localhost', true);
    expect(Array.isArray(address)).toBe(true);
    const list = address as { address: string; family: number }[];
    expect(list.length).toBeGreaterThan(0);
    for (const a of list) {
      expect(net.isIP(a.address)).toBe(a.family);
      expect(guardOf('loopback')('localhost', a.address)).toBeUndefined();
    }
    expect(list.map((a) => a.address)).toContain('127.0.0.1');
  });

  it('returns the first address and its family with all: false', async () => {
    const { address, family } = await lookup(guardOf('loopback'), 'localhost', false);
    expect(typeof address).toBe('string');
    expect(net.isIP(address as string)).toBe(family);
    expect(['127.0.0.1', '::1']).toContain(address);
  });

  it('asks the check about each resolved address of the name', async () => {
    const seen: [string, string][] = [];
    await lookup(
      (host, address) => {
        seen.push([host, address]);
        return undefined;
      },
      'localhost',
      true,
    );
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every(([host]) => host === 'localhost')).toBe(true);
  });
});

describe('refusedLiteral', () => {
  it('refuses an IP literal the policy does not allow', () => {
    const err = refusedLiteral(guardOf(), '127.0.0.1');
    expect(err).toBeInstanceOf(TargetRefusedError);
    expect(err?.code).toBe('E_TARGET_NOT_ALLOWED');
    expect(err?.message).toBe(
      'connection refused by the target allow-list: 127.0.0.1 is in a loopback range that is not explicitly allowed',
    );
    expect(refusedLiteral(guardOf('public'), '169.254.169.254')?.message).toMatch(/metadata/);
  });

  it('lets an allowed literal through', () => {
    expect(refusedLiteral(guardOf('loopback'), '127.0.0.1')).toBeUndefined();
    expect(refusedLiteral(guardOf('loopback'), '::1')).toBeUndefined();
  });
});

describe('the node transport with an address check (real loopback server)', () => {
  let server: TestServer | undefined;
  const clients: HttpClient[] = [];
  let requests = 0;
  let connections = 0;

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server?.close();
    server = undefined;
  });

  async function start(): Promise<TestServer> {
    requests = 0;
    connections = 0;
    server = await startHttp((_req: IncomingMessage, res: ServerResponse) => {
      requests++;
      res.end('ok');
    });
    server.server.on('connection', () => {
      connections++;
    });
    return server;
  }

  function send(allowedTargets: string[], url: URL) {
    const transport = createNodeTransport({
      connectTimeoutMs: 5_000,
      insecureSkipTLSVerify: false,
      addressCheck: addressGuard({ allowedTargets }),
    });
    const client = transport.createClient();
    clients.push(client);
    const request: HttpRequest = { method: 'GET', url, headers: {}, timeoutMs: 5_000, keepBody: true };
    return client.send(request);
  }

  it('fails a request to a refused IP literal before connecting', async () => {
    const s = await start();
    const result = await send([], new URL(`${s.url}/x`));
    expect(result.status).toBe(0);
    expect(result.errorKind).toBe('other');
    expect(result.errorMessage).toMatch(/^connection refused by the target allow-list: 127\.0\.0\.1/);
    expect(requests).toBe(0);
    expect(connections).toBe(0);
  });

  it('fails a request to a refused name after resolving it, before connecting', async () => {
    const s = await start();
    const url = new URL(`${s.url}/x`);
    url.hostname = 'localhost';
    const result = await send([], url);
    expect(result.status).toBe(0);
    expect(result.errorMessage).toMatch(/^connection refused by the target allow-list: .*loopback range/);
    expect(requests).toBe(0);
    expect(connections).toBe(0);
  });

  it('lets the request through when the policy allows loopback', async () => {
    const s = await start();
    const result = await send(['loopback'], new URL(`${s.url}/x`));
    expect(result.errorKind).toBeUndefined();
    expect(result.status).toBe(200);
    expect(result.body).toBe('ok');
    expect(requests).toBe(1);
  });

  it('lets a request to localhost through when the policy allows loopback', async () => {
    const s = await start();
    const url = new URL(`${s.url}/x`);
    url.hostname = 'localhost';
    const result = await send(['loopback'], url);
    expect(result.status).toBe(200);
    expect(requests).toBe(1);
  });
});

describe('addressGuard: addresses that embed IPv4 or are not global', () => {
  const guard = addressGuard({ allowedTargets: ['public'] });
  it.each([
    ['::127.0.0.1', 'IPv4-compatible'],
    ['64:ff9b:1::a9fe:a9fe', 'local NAT64'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['100::1', 'discard'],
    ['fec0::1', 'site-local'],
  ])('refuses %s (%s) even under "public"', (address, label) => {
    expect(guard('example.com', address)).toContain(label);
  });
  it.each(['169.254.170.23', 'fd00:ec2::23'])(
    'treats the EKS Pod Identity address %s as metadata',
    (address) => {
      expect(guard('example.com', address)).toContain('metadata');
    },
  );
  it('lets `localhost` through "loopback" only by the address it resolves to', () => {
    const loopback = addressGuard({ allowedTargets: ['loopback'] });
    expect(loopback('localhost', '127.0.0.1')).toBeUndefined();
    expect(loopback('localhost', '93.184.216.34')).toContain('not in the allow-list');
  });
});
