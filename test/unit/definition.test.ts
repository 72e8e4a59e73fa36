import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseTestDefinition } from '../../lambdas/core/load/validate';
import { type DefinitionProblem, InvalidDefinitionError } from '../../lambdas/model/definition';

const CHECKOUT = {
  name: 'checkout',
  baseUrl: 'http://127.0.0.1:8080',
  scenarios: {
    buy: {
      executor: 'constant-arrival-rate',
      rate: 200,
      timeUnit: '1s',
      duration: '30s',
      preAllocatedVUs: 50,
      maxVUs: 500,
      requests: [{ name: 'home', method: 'GET', path: '/' }],
    },
  },
  thresholds: { http_req_duration: ['p(95)<250'], http_req_failed: ['rate<0.01'] },
};
const ok = (scenario: Record<string, unknown>) => ({
  baseUrl: 'http://127.0.0.1:8080',
  scenarios: { s: { executor: 'constant-vus', duration: '10s', requests: [{ path: '/' }], ...scenario } },
});
const bare = (scenario: Record<string, unknown>) => ({
  scenarios: { s: { executor: 'constant-vus', duration: '1s', ...scenario } },
});
function problemsOf(definition: unknown): readonly DefinitionProblem[] {
  try {
    parseTestDefinition(definition);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidDefinitionError);
    const err = e as InvalidDefinitionError;
    expect(err.code).toBe('E_INVALID_DEFINITION');
    for (const p of err.problems) expect(err.message).toContain(p.message);
    return err.problems;
  }
  throw new Error('expected the definition to be rejected');
}
const paths = (problems: readonly DefinitionProblem[]) => problems.map((p) => p.path);

// Protects the DESIGN.md §3 contract: the checkout example runs as it stands, every default applied once.
describe('the checkout example', () => {
  const { definition, thresholds } = parseTestDefinition(CHECKOUT);

  it('parses with durations in ms and k6 defaults applied', () => {
    expect(definition.scenarios.buy).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 200,
      timeUnit: 1_000,
      duration: 30_000,
      preAllocatedVUs: 50,
      maxVUs: 500,
      startTime: 0,
      gracefulStop: 30_000,
    });
    expect(definition).toMatchObject({
      name: 'checkout',
      baseUrl: 'http://127.0.0.1:8080',
      timeout: 60_000,
      connectTimeout: 10_000,
      insecureSkipTLSVerify: false,
      discardResponseBodies: false,
    });
  });

  it('normalizes requests into one default flow and thresholds into specs', () => {
    const flows = definition.scenarios.buy?.flows;
    expect(flows).toEqual([
      { name: 'default', weight: 1, requests: [{ name: 'home', method: 'GET', path: '/' }] },
    ]);
    expect(definition.thresholds.http_req_duration).toEqual([
      { threshold: 'p(95)<250', abortOnFail: false, delayAbortEval: 0 },
    ]);
    expect(thresholds.map((t) => `${t.metricKey} ${t.expression}`)).toEqual([
      'http_req_duration p(95)<250',
      'http_req_failed rate<0.01',
    ]);
  });

  it('applies executor defaults (k6 values) for every executor', () => {
    const s = (raw: Record<string, unknown>) =>
      parseTestDefinition({ baseUrl: 'http://h', scenarios: { s: { requests: [{ path: '/' }], ...raw } } })
        .definition.scenarios.s;
    expect(s({ executor: 'constant-vus', duration: '10s' })).toMatchObject({ vus: 1, duration: 10_000 });
    expect(s({ executor: 'ramping-vus', stages: [{ duration: '5s', target: 3 }] })).toMatchObject({
      startVUs: 1,
      gracefulRampDown: 30_000,
    });
    for (const executor of ['per-vu-iterations', 'shared-iterations'])
      expect(s({ executor })).toMatchObject({ vus: 1, iterations: 1, maxDuration: 600_000 });
    expect(
      s({ executor: 'ramping-arrival-rate', preAllocatedVUs: 2, stages: [{ duration: '1s', target: 2 }] }),
    ).toMatchObject({ startRate: 0, timeUnit: 1_000 });
    expect(parseTestDefinition(ok({})).definition.name).toBe('unnamed');
  });
});

// Protects "report every problem, not the first": each problem is listed with its exact path.
describe('invalid definitions', () => {
  it('lists every schema problem with its exact path and message', () => {
    const problems = problemsOf({
      baseUrl: 'ftp://example.com',
      scenarios: {
        checkout: {
          executor: 'ramping-vus',
          stages: [
            { duration: '10s', target: 5 },
            { duration: '10x', target: -1 },
          ],
          requests: [{ method: 'FETCH', path: 'cart', checks: [{ status: '6xx' }] }],
        },
        other: {
          executor: 'constant-vus',
          vus: 0,
          duration: '0s',
          gracefulStop: 'soon',
          requests: [{ path: '/' }],
        },
      },
      timeout: -5,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'baseUrl', message: 'must be an http:// or https:// URL' },
        { path: 'scenarios.checkout.stages[1].duration', message: '"10x" is not a duration' },
        { path: 'scenarios.checkout.stages[1].target', message: 'must not be negative' },
        {
          path: 'scenarios.checkout.requests[0].method',
          message: expect.stringContaining('must be one of GET'),
        },
        { path: 'scenarios.checkout.requests[0].path', message: 'must start with "/"' },
        { path: 'scenarios.checkout.requests[0].checks[0].status', message: expect.any(String) },
        { path: 'scenarios.other.vus', message: 'must be at least 1' },
        { path: 'scenarios.other.duration', message: 'must be longer than 0' },
        { path: 'scenarios.other.gracefulStop', message: '"soon" is not a duration' },
        { path: 'timeout', message: '-5 is not a duration' },
      ]),
    );
    expect(problems).toHaveLength(10);
  });

  it('lists schema problems and cross-field problems together in one error', () => {
    const problems = problemsOf({
      scenarios: {
        checkout: {
          executor: 'ramping-vus',
          stages: [
            { duration: '10s', target: 5 },
            { duration: '10x', target: 5 },
          ],
          requests: [{ path: '/cart' }],
        },
        burst: {
          executor: 'constant-arrival-rate',
          rate: 10,
          duration: '10s',
          preAllocatedVUs: 20,
          maxVUs: 5,
          requests: [{ url: 'http://h/', checks: [{ body: true, matches: '(' }] }],
        },
      },
    });
    // Every problem, not just the schema ones (DESIGN.md §6.5).
    expect(paths(problems).sort()).toEqual([
      'scenarios.burst.maxVUs',
      'scenarios.burst.requests[0].checks[0].matches',
      'scenarios.checkout.requests[0].path',
      'scenarios.checkout.stages[1].duration',
    ]);
  });

  it('rejects unknown keys at every level', () => {
    const problems = problemsOf({
      ...ok({ vu: 10, requests: [{ path: '/', methd: 'GET' }] }),
      duraton: '1m',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: '', message: expect.stringContaining('"duraton"') },
        { path: 'scenarios.s', message: expect.stringContaining('"vu"') },
        { path: 'scenarios.s.requests[0]', message: expect.stringContaining('"methd"') },
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('rejects an unknown executor with the list of executors', () => {
    const problems = problemsOf(ok({ executor: 'constant-rps' }));
    expect(paths(problems)).toEqual(['scenarios.s.executor']);
    expect(problems[0]?.message).toContain('ramping-arrival-rate');
  });

  it('needs a baseUrl for "path", and a real http(s) URL for "url"', () => {
    const problems = problemsOf(
      bare({
        requests: [{ path: '/' }, { url: 'ftp://h/' }, { url: 'http://h/${id}' }, { url: 'https://h/x' }],
      }),
    );
    expect(problems).toEqual([
      { path: 'scenarios.s.requests[0].path', message: 'a relative "path" needs a top-level "baseUrl"' },
      { path: 'scenarios.s.requests[1].url', message: '"ftp://h/" is not an http:// or https:// URL' },
    ]);
  });

  it('needs exactly one of path/url per request and requests/flows per scenario', () => {
    const problems = problemsOf({
      baseUrl: 'http://h',
      scenarios: {
        both: {
          executor: 'constant-vus',
          duration: '1s',
          requests: [{ path: '/' }],
          flows: [{ requests: [{ path: '/' }] }],
        },
        neither: { executor: 'constant-vus', duration: '1s' },
      },
    });
    expect(paths(problems)).toEqual(['scenarios.both', 'scenarios.neither']);
    expect(problems[0]?.message).toContain('exactly one of "requests"');
    const step = problemsOf(ok({ requests: [{ path: '/', url: 'http://h/' }, { name: 'x' }] }));
    expect(step).toEqual([
      { path: 'scenarios.s.requests[0]', message: 'give exactly one of "path" or "url"' },
      { path: 'scenarios.s.requests[1]', message: 'give exactly one of "path" or "url"' },
    ]);
  });

  it('rejects maxVUs below preAllocatedVUs and invalid regular expressions', () => {
    const problems = problemsOf(
      ok({
        executor: 'constant-arrival-rate',
        rate: 5,
        preAllocatedVUs: 10,
        maxVUs: 9,
        requests: [
          {
            path: '/',
            checks: [{ status: 200 }, { header: 'x', matches: '[a-' }],
            capture: { t: { regex: '(' } },
          },
        ],
      }),
    );
    const re2 = 'must be a linear-time RE2 regular expression (no backreferences or lookaround): ';
    expect(problems).toEqual([
      { path: 'scenarios.s.requests[0].checks[1].matches', message: `${re2}missing closing ]: \`[a-\`` },
      { path: 'scenarios.s.requests[0].capture.t.regex', message: `${re2}missing closing ): \`(\`` },
      { path: 'scenarios.s.maxVUs', message: 'must be at least preAllocatedVUs (10)' },
    ]);
    const equal = ok({ executor: 'constant-arrival-rate', rate: 5, preAllocatedVUs: 10, maxVUs: 10 });
    expect(() => parseTestDefinition(equal)).not.toThrow();
  });

  // Protects the event loop (ReDoS): patterns are validated with the linear-time engine that runs
  // them, so what only a backtracking engine can do is refused at submission, with its path.
  it('rejects backreferences and lookaround, which linear-time RE2 cannot run', () => {
    const problems = problemsOf(
      ok({
        executor: 'constant-vus',
        vus: 1,
        duration: '1s',
        requests: [
          {
            path: '/',
            checks: [
              { body: true, matches: '(a)\\1' },
              { body: true, matches: 'x(?=y)' },
            ],
            capture: { t: { regex: '(?<!a)b' } },
          },
        ],
      }),
    );
    expect(paths(problems)).toEqual([
      'scenarios.s.requests[0].checks[0].matches',
      'scenarios.s.requests[0].checks[1].matches',
      'scenarios.s.requests[0].capture.t.regex',
    ]);
    for (const p of problems) expect(p.message).toMatch(/^must be a linear-time RE2 regular expression/);
    const fine = ok({
      executor: 'constant-vus',
      vus: 1,
      duration: '1s',
      requests: [
        {
          path: '/',
          checks: [{ body: true, matches: '(?i)^ok\\b' }],
          capture: { t: { regex: '(?<n>\\d+)' } },
        },
      ],
    });
    expect(() => parseTestDefinition(fine)).not.toThrow();
  });

  it('rejects non-objects and an empty scenario map', () => {
    expect(paths(problemsOf(null))).toEqual(['']);
    expect(paths(problemsOf({ scenarios: {} }))).toEqual(['scenarios']);
    expect(paths(problemsOf({}))).toEqual(['scenarios']);
  });
});

// Protects YAML users: durations may be numbers (ms) or strings; counts must be real numbers.
describe('YAML-style values', () => {
  it('parses a YAML definition with numeric and string durations', () => {
    const yaml = `
baseUrl: http://127.0.0.1:8080
scenarios:
  buy:
    executor: constant-arrival-rate
    rate: 200
    timeUnit: 1s
    duration: 30000
    gracefulStop: "5000"
    startTime: 1m30s
    preAllocatedVUs: 50
    requests:
      - { path: /, method: get }
`;
    const s = parseTestDefinition(parseYaml(yaml)).definition.scenarios.buy;
    expect(s).toMatchObject({ timeUnit: 1_000, duration: 30_000, gracefulStop: 5_000, startTime: 90_000 });
    expect(s?.flows[0]?.requests[0]?.method).toBe('GET');
  });

  it('rejects counts written as strings (as k6 does) with the field path', () => {
    const problems = problemsOf(ok({ vus: '10' }));
    expect(paths(problems)).toEqual(['scenarios.s.vus']);
    expect(paths(problemsOf(ok({ vus: 2.5 })))).toEqual(['scenarios.s.vus']);
  });
});

// Protects weighted flows: names and weights are normalized, bad weights are reported with paths.
describe('flows', () => {
  it('names unnamed flows by position and keeps weights (default 1)', () => {
    const { definition } = parseTestDefinition(
      ok({
        requests: undefined,
        flows: [
          { weight: 3, requests: [{ path: '/browse' }] },
          { name: 'buyer', requests: [{ path: '/cart' }, { path: '/pay', method: 'post', body: { a: 1 } }] },
        ],
      }),
    );
    const flows = definition.scenarios.s?.flows ?? [];
    expect(flows.map((f) => [f.name, f.weight, f.requests.length])).toEqual([
      ['flow1', 3, 1],
      ['buyer', 1, 2],
    ]);
    expect(flows[1]?.requests[1]?.method).toBe('POST');
  });

  it('reports bad weights, empty flows and flow request problems by path', () => {
    const flows = [
      { weight: 0, requests: [{ path: '/' }] },
      { weight: -1, requests: [] },
    ];
    const problems = problemsOf(ok({ requests: undefined, flows }));
    expect(paths(problems)).toEqual([
      'scenarios.s.flows[0].weight',
      'scenarios.s.flows[1].weight',
      'scenarios.s.flows[1].requests',
    ]);
    const noBase = problemsOf(bare({ flows: [{ requests: [{ url: 'http://h/' }, { path: '/' }] }] }));
    expect(paths(noBase)).toEqual(['scenarios.s.flows[0].requests[1].path']);
  });
});

// Protects against inputs that used to slip through: inherited property names and timer overflow.
describe('definition edge cases', () => {
  const base = {
    scenarios: {
      s: { executor: 'constant-vus', duration: '1s', requests: [{ url: 'http://127.0.0.1:1/' }] },
    },
  };
  it('rejects a threshold metric named after an Object property', () => {
    expect(() => parseTestDefinition({ ...base, thresholds: { constructor: ['rate<1'] } })).toThrow(
      /unknown metric/,
    );
  });
  it('rejects durations a timer cannot hold', () => {
    const long = { scenarios: { s: { ...base.scenarios.s, startTime: '600h' } } };
    expect(() => parseTestDefinition(long)).toThrow(/scenarios\.s\.startTime: "600h" is longer than 24 days/);
  });
});

// Protects the HTTP/1.1 request line from injection (issue item 6): header text a definition gives
// is written to the wire as it is, so a CR or LF there would smuggle headers past the transport.
describe('request headers', () => {
  const withHeaders = (headers: Record<string, string>) => ok({ requests: [{ path: '/', headers }] });
  it('rejects CR, LF, NUL, other controls and DEL in values, and non-latin-1 text, each with its path', () => {
    const problems = problemsOf(
      withHeaders({
        'X-A': 'a\r\nHost: evil.test',
        'X-B': 'nul\u0000',
        'X-C': 'bell\u0007',
        'X-D': 'del\u007f',
        'X-E': 'snow\u2603',
        'X-Ok': 'tab\tand latin-1 \u00e9 and ${token}',
      }),
    );
    expect(paths(problems)).toEqual([
      'scenarios.s.requests[0].headers.X-A',
      'scenarios.s.requests[0].headers.X-B',
      'scenarios.s.requests[0].headers.X-C',
      'scenarios.s.requests[0].headers.X-D',
      'scenarios.s.requests[0].headers.X-E',
    ]);
    expect(problems[0]?.message).toMatch(/control characters \(found U\+000D/);
    expect(problems[4]?.message).toMatch(/latin-1/);
  });

  it('rejects header names that are not RFC 9110 tokens', () => {
    const problems = problemsOf(withHeaders({ 'X A': 'v', 'X:B': 'v', 'X\r\nHost': 'v', '': 'v' }));
    expect(paths(problems)).toEqual([
      'scenarios.s.requests[0].headers.X A',
      'scenarios.s.requests[0].headers.X:B',
      'scenarios.s.requests[0].headers."X\\r\\nHost"',
      'scenarios.s.requests[0].headers.',
    ]);
    expect(problems[0]?.message).toMatch(/is not a header name/);
  });

  it('forbids Host, Content-Length, Transfer-Encoding and Connection in any case', () => {
    const problems = problemsOf(
      ok({
        requests: [
          {
            path: '/',
            headers: { HOST: 'a', 'content-length': '1', 'Transfer-Encoding': 'chunked', connection: 'x' },
          },
        ],
      }),
    );
    expect(problems.map((p) => p.path)).toEqual([
      'scenarios.s.requests[0].headers.HOST',
      'scenarios.s.requests[0].headers.content-length',
      'scenarios.s.requests[0].headers.Transfer-Encoding',
      'scenarios.s.requests[0].headers.connection',
    ]);
    expect(problems[0]?.message).toMatch(/"HOST" cannot be set: Throughline sets Host/);
  });
});

// Protects results and CSV files from credentials (issue item 10a).
describe('credentials in URLs', () => {
  it('rejects a user name or password in a url or the baseUrl, naming the path', () => {
    const problems = problemsOf({
      baseUrl: 'http://admin:secret@127.0.0.1:8080',
      scenarios: {
        s: {
          executor: 'constant-vus',
          duration: '1s',
          requests: [
            { url: 'http://user:pass@127.0.0.1/' },
            { url: 'https://${user}@h.test/' },
            { path: '/' },
          ],
        },
      },
    });
    expect(paths(problems)).toEqual([
      'baseUrl',
      'scenarios.s.requests[0].url',
      'scenarios.s.requests[1].url',
    ]);
    expect(problems[0]?.message).toMatch(/must not contain a user name or password/);
  });
});

describe('maxResponseBodyBytes', () => {
  it('defaults to 4 MiB and must be a positive whole number', () => {
    expect(parseTestDefinition(ok({})).definition.maxResponseBodyBytes).toBe(4 * 1024 * 1024);
    expect(
      parseTestDefinition({ ...ok({}), maxResponseBodyBytes: 1_000 }).definition.maxResponseBodyBytes,
    ).toBe(1_000);
    expect(paths(problemsOf({ ...ok({}), maxResponseBodyBytes: 0 }))).toEqual(['maxResponseBodyBytes']);
  });
});
