import { describe, expect, it } from 'vitest';
import { presetDefinition } from '../../lambdas/core/load/presets';
import { parseThresholds } from '../../lambdas/core/load/thresholds';
import { parseTestDefinition } from '../../lambdas/core/load/validate';
import { definitionFromSubmission } from '../../lambdas/core/tests/submission';
import { buildOpenApi } from '../../lambdas/entrypoints/http/openapi';
import type { InvalidDefinitionError } from '../../lambdas/model/definition';
import { parseDuration } from '../../lambdas/model/duration';
import { headerProblem } from '../../lambdas/model/headers';
import {
  DURATION_PATTERN,
  HEADER_NAME_PATTERN,
  HTTP_URL_PATTERN,
  headersJson,
  POSITIVE_DURATION_PATTERN,
  REQUEST_URL_PATTERN,
  thresholdsJson,
} from '../../lambdas/model/json-schema';

// The JSON Schema the OpenAPI document states for rules zod checks in code (lambdas/model/json-schema.ts)
// must accept only what that code accepts: the API fuzz test found each of these refused while the
// document allowed it. Every string a pattern matches below must pass the parser it stands for; the
// strings it refuses show it is not simply "anything".

const matches = (pattern: string, s: string) => new RegExp(pattern).test(s);

describe('duration patterns', () => {
  const good = [
    '0',
    '250',
    '1.5',
    '30s',
    '1m30s',
    '250ms',
    '2h',
    '0.5s',
    '1h0m0s',
    '10m5ms',
    '001s',
    '999999h',
  ];
  const bad = ['', ' 30s', '30 s', '1e3', '-1s', '1d', 's', '1.s', '.5s', '30s ', '1m1m1m1m1m'];
  it('match only what parseDuration reads', () => {
    for (const s of good) {
      expect(matches(DURATION_PATTERN, s), s).toBe(true);
      expect(parseDuration(s), s).toBeTypeOf('number');
    }
    for (const s of bad) expect(matches(DURATION_PATTERN, s), s).toBe(false);
  });
  it('the positive one matches only durations above zero', () => {
    for (const s of ['1', '0.5', '30s', '0s1ms', '0.000000001ms', '0m0s0.1ms'])
      expect(matches(POSITIVE_DURATION_PATTERN, s) && (parseDuration(s) ?? 0) > 0, s).toBe(true);
    for (const s of ['0', '0s', '0.0', '0m0s', '00ms', '0.000s'])
      expect(matches(POSITIVE_DURATION_PATTERN, s), s).toBe(false);
  });
});

describe('URL patterns', () => {
  const parses = (s: string) => {
    const url = new URL(s);
    return /^https?:$/.test(url.protocol) && url.username === '' && url.password === '';
  };
  it('match only http(s) URLs the WHATWG parser reads, without credentials', () => {
    for (const s of [
      'http://127.0.0.1:8080',
      'https://example.com/a?b=c#d',
      'http://a-b.example/',
      'http://[::1]:0/',
      'http://[2001:db8::1]/x',
      'http://a.b1/`{}|^',
      'https://0.com',
    ]) {
      expect(matches(HTTP_URL_PATTERN, s), s).toBe(true);
      expect(parses(s), s).toBe(true);
    }
    // Each of these is refused by the parser or by the credentials rule ("--" only could be punycode).
    for (const s of [
      'http://xn--a.com/',
      'http://a.0x1',
      'http://1.2.3.4.5',
      'http://a:65536',
      'http://user:pw@a.com',
      'ftp://a.com',
      'http://a b',
    ])
      expect(matches(HTTP_URL_PATTERN, s), s).toBe(false);
  });
  it("a request's url may hold placeholders where the cross check fills them", () => {
    for (const s of ['${base}/x', 'http://${host}.example:8080/${path}', 'http://${h}']) {
      expect(matches(REQUEST_URL_PATTERN, s), s).toBe(true);
      expect(
        () =>
          parseTestDefinition({
            scenarios: { s: { executor: 'constant-vus', duration: '1s', requests: [{ url: s }] } },
          }),
        s,
      ).not.toThrow();
    }
  });
});

describe('header patterns', () => {
  it('name and value patterns agree with headerProblem', () => {
    const forbidden = new RegExp((headersJson.propertyNames as { not: { pattern: string } }).not.pattern);
    const value = new RegExp((headersJson.additionalProperties as { pattern: string }).pattern);
    for (const name of ['X-A', 'accept', "!#$%&'*+-.^_`|~09az"]) {
      expect(matches(HEADER_NAME_PATTERN, name) && !forbidden.test(name), name).toBe(true);
      expect(headerProblem(name, 'tab\tlatin-1 \u00e9'), name).toBeUndefined();
    }
    for (const name of ['Host', 'CONTENT-LENGTH', 'transfer-encoding', 'Connection'])
      expect(forbidden.test(name), name).toBe(true);
    for (const name of ['a b', 'a:b', '', 'é']) expect(matches(HEADER_NAME_PATTERN, name), name).toBe(false);
    for (const v of ['a\r\nb', 'nul\u0000', 'del\u007f', 'snow\u2603']) {
      expect(value.test(v), v).toBe(false);
      expect(headerProblem('X-A', v), v).toBeDefined();
    }
  });
});

describe('threshold patterns', () => {
  const json = thresholdsJson((expression) => expression);
  const entries = Object.entries(json.patternProperties as Record<string, { items: { pattern: string } }>);
  const rule = (key: string) => entries.find(([k]) => new RegExp(k).test(key))?.[1].items.pattern;
  it('each metric key and expression the document allows parses', () => {
    const cases: [string, string][] = [
      ['http_req_duration', 'p(95)<200'],
      ['http_req_duration{name:home,method:GET}', 'p(99.9) <= 1.5'],
      ['http_req_duration{scenario:}', 'avg==-3'],
      ['http_req_failed', 'rate<0.01'],
      ['http_reqs', 'count>=10'],
      ['dropped_iterations', 'rate != 0'],
      ['checks{name:a:b}', 'rate===1'],
    ];
    for (const [key, expression] of cases) {
      const pattern = rule(key);
      expect(pattern, key).toBeDefined();
      expect(matches(pattern as string, expression), `${key} ${expression}`).toBe(true);
      const parsed = parseThresholds({
        [key]: [{ threshold: expression, abortOnFail: false, delayAbortEval: 0 }],
      });
      expect(parsed.problems, `${key} ${expression}`).toEqual([]);
    }
  });
  it('refuses keys and expressions the parser refuses', () => {
    for (const key of ['constructor', 'http_req_duration{colour:red}', 'http_req_duration{name}', 'latency'])
      expect(rule(key), key).toBeUndefined();
    const failed = rule('http_req_failed') as string;
    for (const e of ['p(95)<1', 'rate<<1', 'rate<1e3', 'rate']) expect(matches(failed, e), e).toBe(false);
    expect(matches(rule('http_req_duration') as string, 'p(101)<1')).toBe(false);
  });
});

describe('definitions that match the document', () => {
  const rejection = (definition: unknown) => {
    try {
      parseTestDefinition(definitionFromSubmission(definition));
    } catch (e) {
      return e as InvalidDefinitionError;
    }
    return undefined;
  };
  it('break a rule it cannot state: unprocessable (422), each problem with its path', () => {
    const s = (over: Record<string, unknown>) => ({
      scenarios: {
        s: {
          executor: 'constant-arrival-rate',
          rate: 5,
          duration: '1s',
          preAllocatedVUs: 2,
          requests: [{ url: 'http://a.test/' }],
          ...over,
        },
      },
    });
    const cases: [Record<string, unknown>, string][] = [
      [s({ maxVUs: 1 }), 'scenarios.s.maxVUs'],
      [
        s({ requests: [{ url: 'http://a.test/', capture: { x: { regex: '(a)\\1' } } }] }),
        'scenarios.s.requests[0].capture.x.regex',
      ],
      // Inside a union (checks, thinkTime): read through the one branch the value has the shape of.
      [
        s({ requests: [{ url: 'http://a.test/', checks: [{ maxDuration: '9999999h' }] }] }),
        'scenarios.s.requests[0].checks[0].maxDuration',
      ],
      [s({ thinkTime: { min: '1', max: '999999999999h' } }), 'scenarios.s.thinkTime.max'],
      [{ preset: 'smoke', target: 'http://a.test/', duration: '999999h' }, 'duration'],
    ];
    for (const [definition, path] of cases) {
      const err = rejection(definition);
      expect(err?.unprocessable, path).toBe(true);
      expect(err?.problems.map((p) => p.path)).toEqual([path]);
    }
    const schema = rejection(s({ maxVUs: 1, duration: 'soon' }));
    expect(schema?.unprocessable).toBe(false);
    expect(schema?.problems).toHaveLength(2);
  });
  it('presets expand to valid definitions whatever rate and duration the document allows', () => {
    for (const rate of [10.5, 0.001, 9_999_999.5])
      expect(
        () => parseTestDefinition(presetDefinition('step', { target: 'http://a.test/', rate })),
        String(rate),
      ).not.toThrow();
    for (const durationMs of [1e-9, 0.4, 2_147_483_647])
      for (const preset of ['volume', 'step', 'smoke'] as const)
        expect(
          () => parseTestDefinition(presetDefinition(preset, { target: 'http://a.test/', durationMs })),
          `${preset} ${durationMs}`,
        ).not.toThrow();
  });
  it("a preset's tags and baseline follow the definition's rules, in the document too", () => {
    const tags = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    expect(rejection({ preset: 'smoke', target: 'http://a.test/', tags })?.problems[0]?.path).toBe('tags');
    expect(
      rejection({ preset: 'smoke', target: 'http://a.test/', baseline: 'not an id' })?.problems[0]?.path,
    ).toBe('baseline');
    const preset = (
      buildOpenApi() as {
        components: {
          schemas: Record<
            string,
            { anyOf: Record<string, { properties: Record<string, Record<string, unknown>> }>[] }
          >;
        };
      }
    ).components.schemas.TestSubmission?.anyOf[1] as unknown as {
      properties: Record<string, Record<string, unknown>>;
    };
    expect(preset.properties.tags?.maxProperties).toBe(20);
    expect(preset.properties.baseline?.pattern).toBe('^(previous|[\\w-]{1,64})$');
    expect(preset.properties.target?.pattern).toBe(HTTP_URL_PATTERN);
  });
});
