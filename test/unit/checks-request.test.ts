import { describe, expect, it } from 'vitest';
import { capture, checkName, evaluateCheck, JsonBody, jsonPath } from '../../lambdas/core/load/checks';
import { compileStep, defaultName, fill, UnsendableRequestError } from '../../lambdas/core/load/request';
import { MAX_MATCHED_CHARS } from '../../lambdas/core/load/user-pattern';
import { parseTestDefinition } from '../../lambdas/core/load/validate';
import type { Capture, Check, RequestStep } from '../../lambdas/model/definition';
import type { HttpResult } from '../../lambdas/ports/http';

const DOC = {
  a: { b: [{ c: 'deep' }, { c: 2 }] },
  id: 42,
  name: 'Ada',
  ok: true,
  none: null,
  m: [[1, 2], [3]],
};
const response = (over: Partial<HttpResult> = {}): HttpResult => ({
  status: 200,
  headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req-7' },
  body: JSON.stringify(DOC),
  bytesIn: 120,
  bytesOut: 40,
  ...over,
});
const FAILED: HttpResult = {
  status: 0,
  headers: {},
  body: '',
  bytesIn: 0,
  bytesOut: 0,
  errorKind: 'refused',
};
const check = (c: Check, res: HttpResult = response(), durationMs = 10) =>
  evaluateCheck(c, res, durationMs, new JsonBody(res.body));
const grab = (c: Capture, res: HttpResult = response()) => capture(c, res, new JsonBody(res.body));
/** A request step through the real validator, so method casing and shapes are what the engine sees. */
function step(raw: Record<string, unknown>): RequestStep {
  const { definition } = parseTestDefinition({
    baseUrl: 'http://unused.invalid',
    scenarios: { s: { executor: 'constant-vus', duration: '1s', requests: [raw] } },
  });
  const s = definition.scenarios.s?.flows[0]?.requests[0];
  if (!s) throw new Error('test setup: no request step');
  return s;
}
const BASE = { baseUrl: 'http://api.test:8080/v1/', timeoutMs: 60_000 };

// Protects JSON addressing in checks and captures: both "$." and dotted forms reach the same value.
describe('jsonPath', () => {
  it.each([
    ['$.a.b[0].c', 'deep'],
    ['a.b.0.c', 'deep'],
    ['$.a.b[1].c', 2],
    ['$.m[1][0]', 3],
    ['$.none', null],
    ['id', 42],
    ['$.a.b[2].c', undefined],
    ['$.name.length', undefined],
    ['$.missing.x', undefined],
    ['$.none.x', undefined],
  ])('%s → %j', (path, value) => {
    expect(jsonPath(DOC, path)).toEqual(value);
  });

  it('returns the whole document for "$" and indexes a top-level array', () => {
    expect(jsonPath(DOC, '$')).toBe(DOC);
    expect(jsonPath(['x', 'y'], '$[1]')).toBe('y');
    expect(jsonPath(undefined, '$.a')).toBeUndefined();
  });
});

// Protects check semantics: each kind passes on a matching response and fails on a mismatching one.
describe('evaluateCheck', () => {
  it('status: exact, list and class', () => {
    expect(check({ status: 200 })).toBe(true);
    expect(check({ status: 201 })).toBe(false);
    expect(check({ status: [200, 204] })).toBe(true);
    expect(check({ status: [201, 204] })).toBe(false);
    expect(check({ status: '2xx' })).toBe(true);
    expect(check({ status: '2xx' }, response({ status: 302 }))).toBe(false);
    expect(check({ status: '5xx' }, response({ status: 503 }))).toBe(true);
    expect(check({ status: '2xx' }, FAILED)).toBe(false);
  });

  it('header: case-insensitive name; equals, contains, matches, exists', () => {
    expect(check({ header: 'X-Request-Id', equals: 'req-7' })).toBe(true);
    expect(check({ header: 'x-request-id', equals: 'req-8' })).toBe(false);
    expect(check({ header: 'Content-Type', contains: 'json' })).toBe(true);
    expect(check({ header: 'content-type', contains: 'xml' })).toBe(false);
    expect(check({ header: 'x-request-id', matches: '^req-\\d+$' })).toBe(true);
    expect(check({ header: 'x-request-id', matches: '^id-' })).toBe(false);
    expect(check({ header: 'etag', exists: false })).toBe(true);
    expect(check({ header: 'etag', exists: true })).toBe(false);
    expect(check({ header: 'etag' })).toBe(false);
    expect(check({ header: 'x-request-id' })).toBe(true);
  });

  it('body: contains, matches, equals', () => {
    expect(check({ body: true, contains: '"name":"Ada"' })).toBe(true);
    expect(check({ body: true, contains: 'Grace' })).toBe(false);
    expect(check({ body: true, matches: '"id":\\d+' })).toBe(true);
    expect(check({ body: true, matches: '^<html' })).toBe(false);
    expect(check({ body: true, equals: 'pong' }, response({ body: 'pong' }))).toBe(true);
    expect(check({ body: true, equals: 'pong' }, response({ body: 'pong!' }))).toBe(false);
  });

  it('json: equals across types, lt/gt, exists, and unparseable bodies', () => {
    expect(check({ json: '$.id', equals: 42 })).toBe(true);
    expect(check({ json: '$.id', equals: 43 })).toBe(false);
    expect(check({ json: '$.name', equals: 'Ada' })).toBe(true);
    expect(check({ json: '$.ok', equals: true })).toBe(true);
    expect(check({ json: '$.none', equals: null })).toBe(true);
    expect(check({ json: '$.a.b[0].c', contains: 'ee' })).toBe(true);
    expect(check({ json: '$.a.b', contains: '"c":2' })).toBe(true);
    expect(check({ json: '$.id', lt: 100, gt: 40 })).toBe(true);
    expect(check({ json: '$.id', lt: 42 })).toBe(false);
    expect(check({ json: '$.id', gt: 42 })).toBe(false);
    expect(check({ json: '$.nope', exists: false })).toBe(true);
    expect(check({ json: '$.nope', exists: true })).toBe(false);
    expect(check({ json: '$.id', exists: false })).toBe(false);
    expect(check({ json: '$.id', equals: 42 }, response({ body: '<html>' }))).toBe(false);
  });

  it('maxDuration: inclusive limit, never passes without a response', () => {
    expect(check({ maxDuration: 250 }, response(), 250)).toBe(true);
    expect(check({ maxDuration: 250 }, response(), 250.5)).toBe(false);
    expect(check({ maxDuration: 250 }, FAILED, 1)).toBe(false);
  });

  it('fails every response check when no response arrived, even "does not exist" ones', () => {
    for (const c of [
      { header: 'etag', exists: false },
      { json: '$.x', exists: false },
      { body: true as const, contains: '' },
    ])
      expect(check(c, FAILED)).toBe(false);
  });
});

// Protects the names shown in reports: explicit names win, defaults describe the check.
describe('checkName', () => {
  it.each<[Check, string]>([
    [{ name: 'is ok', status: 200 }, 'is ok'],
    [{ status: 200 }, 'status 200'],
    [{ status: [200, 201] }, 'status 200|201'],
    [{ status: '2xx' }, 'status 2xx'],
    [{ maxDuration: 500 }, 'duration < 500ms'],
    [{ header: 'content-type', contains: 'json' }, 'header content-type contains "json"'],
    [{ json: '$.id', equals: 42 }, 'json $.id equals 42'],
    [{ json: '$.id', gt: 1 }, 'json $.id gt 1'],
    [{ json: '$.id' }, 'json $.id exists'],
    [{ body: true, matches: 'ok' }, 'body matches "ok"'],
  ])('%j → %s', (c, name) => {
    expect(checkName(c)).toBe(name);
  });
});

// Protects captures: values come out as strings from JSON, headers and regex groups.
describe('capture', () => {
  it('json: strings as they are, other values as JSON, missing as undefined', () => {
    expect(grab({ json: '$.name' })).toBe('Ada');
    expect(grab({ json: '$.id' })).toBe('42');
    expect(grab({ json: '$.a.b[1]' })).toBe('{"c":2}');
    expect(grab({ json: '$.nope' })).toBeUndefined();
  });

  it('header: case-insensitive', () => {
    expect(grab({ header: 'X-Request-ID' })).toBe('req-7');
    expect(grab({ header: 'etag' })).toBeUndefined();
  });

  it('regex: first group by default, whole match without groups, explicit group, no match', () => {
    const res = response({ body: 'token=abc123; user=ada' });
    expect(grab({ regex: 'token=(\\w+)' }, res)).toBe('abc123');
    expect(grab({ regex: 'user=\\w+' }, res)).toBe('user=ada');
    expect(grab({ regex: '(token)=(\\w+)', group: 2 }, res)).toBe('abc123');
    expect(grab({ regex: '(token)=(\\w+)', group: 0 }, res)).toBe('token=abc123');
    expect(grab({ regex: 'session=(\\w+)' }, res)).toBeUndefined();
  });

  it('regex (RE2): named and optional groups, inline (?i), group numbers past the last', () => {
    const res = response({ body: 'token=abc123; user=ada' });
    expect(grab({ regex: '(?<tok>[a-f0-9]{3})' }, res)).toBe('abc');
    expect(grab({ regex: '(x)?token=(\\w+)', group: 1 }, res)).toBeUndefined();
    expect(grab({ regex: '(x)?token=(\\w+)', group: 2 }, res)).toBe('abc123');
    expect(grab({ regex: 'token=(\\w+)', group: 5 }, res)).toBeUndefined();
    expect(check({ body: true, matches: '(?i)TOKEN=ABC' }, res)).toBe(true);
    expect(check({ body: true, matches: 'TOKEN=ABC' }, res)).toBe(false);
  });
});

// Protects the load generator's event loop from a user pattern (ReDoS): JavaScript's RegExp takes
// seconds on ^(a+)+$ against 25 "a"s and doubles per character; RE2 is linear in the text.
describe('user regular expressions', () => {
  const slowest = (run: () => unknown): number => {
    const started = performance.now();
    run();
    return performance.now() - started;
  };

  it('a catastrophic pattern costs milliseconds in a check and in a capture', () => {
    const res = response({ body: `${'a'.repeat(25)}!` });
    expect(slowest(() => expect(check({ body: true, matches: '^(a+)+$' }, res)).toBe(false))).toBeLessThan(
      200,
    );
    expect(slowest(() => expect(grab({ regex: '^(a+)+$' }, res)).toBeUndefined())).toBeLessThan(200);
  });

  it('matches only the first MAX_MATCHED_CHARS characters of a body', () => {
    const pad = 'x'.repeat(MAX_MATCHED_CHARS - 6);
    expect(check({ body: true, matches: 'needle' }, response({ body: `${pad}needle` }))).toBe(true);
    expect(check({ body: true, matches: 'needle' }, response({ body: `${pad}-needle` }))).toBe(false);
    expect(grab({ regex: 'need(le)' }, response({ body: `${pad}-needle` }))).toBeUndefined();
  });
});

// Protects request compilation: URL, headers, body and name are built once and filled per call.
describe('compileStep', () => {
  it('joins baseUrl, path and query with proper encoding', () => {
    const c = compileStep(step({ path: '/items', query: { q: 'a b&c', page: 2, all: true } }), BASE);
    expect(c.request({}).url.href).toBe('http://api.test:8080/v1/items?q=a%20b%26c&page=2&all=true');
    const withQuery = compileStep(step({ path: '/items?sort=asc', query: { page: 1 } }), BASE);
    expect(withQuery.request({}).url.href).toBe('http://api.test:8080/v1/items?sort=asc&page=1');
    const absolute = compileStep(step({ url: 'https://other.test/x' }), BASE);
    expect(absolute.request({}).url.href).toBe('https://other.test/x');
  });

  it('serializes object bodies as JSON with a content-type, unless one is given', () => {
    const json = compileStep(step({ path: '/buy', body: { sku: 'A1', qty: 2 } }), BASE).request({});
    expect(json).toMatchObject({ method: 'POST', body: '{"sku":"A1","qty":2}' });
    expect(json.headers).toEqual({ 'content-type': 'application/json' });
    const own = compileStep(
      step({ path: '/', body: [1], headers: { 'Content-Type': 'application/vnd+json' } }),
      BASE,
    );
    expect(own.request({}).headers).toEqual({ 'Content-Type': 'application/vnd+json' });
    const text = compileStep(step({ path: '/', method: 'put', body: 'raw' }), BASE).request({});
    expect(text).toMatchObject({ method: 'PUT', body: 'raw', headers: {} });
    expect('body' in compileStep(step({ path: '/' }), BASE).request({})).toBe(false);
  });

  it('names steps "METHOD path" by default and keeps explicit names', () => {
    expect(compileStep(step({ path: '/path' }), BASE).name).toBe('GET /path');
    expect(compileStep(step({ path: '/p', body: {} }), BASE).name).toBe('POST /p');
    expect(compileStep(step({ url: 'http://h.test/u', method: 'delete' }), BASE).name).toBe(
      'DELETE http://h.test/u',
    );
    expect(compileStep(step({ name: 'login', path: '/l' }), BASE).name).toBe('login');
  });

  it('uses the step timeout over the default and keeps bodies only when something reads them', () => {
    expect(compileStep(step({ path: '/', timeout: '2s' }), BASE).request({}).timeoutMs).toBe(2_000);
    expect(compileStep(step({ path: '/' }), BASE).request({}).timeoutMs).toBe(60_000);
    expect(compileStep(step({ path: '/', checks: [{ status: 200 }] }), BASE).needsBody).toBe(false);
    expect(compileStep(step({ path: '/', checks: [{ json: '$.a' }] }), BASE).needsBody).toBe(true);
    expect(compileStep(step({ path: '/', capture: { t: { regex: 'x' } } }), BASE).request({}).keepBody).toBe(
      true,
    );
    expect(compileStep(step({ path: '/', capture: { t: { header: 'etag' } } }), BASE).needsBody).toBe(false);
    expect(compileStep(step({ path: '/', checks: [{ status: 201 }] }), BASE).checks).toEqual([
      { check: { status: 201 }, name: 'status 201' },
    ]);
  });

  it('returns the very same request object every call when nothing is templated', () => {
    const c = compileStep(step({ path: '/static', headers: { a: 'b' }, body: { x: 1 } }), BASE);
    expect(c.request({ id: '1' })).toBe(c.request({ id: '2' }));
  });

  it('fills ${var} in path, headers and body per call, leaving unknown names as they are', () => {
    const c = compileStep(
      step({
        path: '/users/${id}',
        headers: { authorization: 'Bearer ${token}' },
        body: { user: '${id}', x: '${nope}' },
      }),
      BASE,
    );
    const a = c.request({ id: '7', token: 't1' });
    const b = c.request({ id: '8', token: 't2' });
    expect(a.url.pathname).toBe('/v1/users/7');
    expect(b.url.pathname).toBe('/v1/users/8');
    expect(a.headers.authorization).toBe('Bearer t1');
    expect(b.body).toBe('{"user":"8","x":"${nope}"}');
    expect(a).not.toBe(b);
    expect(fill('${a}-${b}-${a}', { a: '1' })).toBe('1-${b}-1');
  });

  it('fills ${var} in query values too', () => {
    const c = compileStep(step({ path: '/search', query: { user: '${id}', q: 'x' } }), BASE);
    expect(c.request({ id: '42' }).url.searchParams.get('user')).toBe('42');
  });

  // Issue item 6: a value captured at run time is as untrusted as the response it came from.
  it('refuses to build a request whose header, once filled, holds a line break or control character', () => {
    const c = compileStep(
      step({ path: '/', headers: { 'X-Token': 'Bearer ${token}', 'X-Fixed': 'ok' } }),
      BASE,
    );
    expect(c.request({ token: 'abc' }).headers['X-Token']).toBe('Bearer abc');
    expect(() => c.request({ token: 'abc\r\nHost: evil.test' })).toThrow(UnsendableRequestError);
    expect(() => c.request({ token: 'abc\r\nHost: evil.test' })).toThrow(
      /header X-Token must not contain control characters/,
    );
    expect(() => c.request({ token: 'nul\u0000' })).toThrow(UnsendableRequestError);
    expect(() => c.request({ token: 'snow\u2603' })).toThrow(/latin-1/);
  });

  // Issue item 10a: default names end up in results and CSV; queries carry tokens, authorities credentials.
  it('leaves the query string and credentials out of default names', () => {
    expect(compileStep(step({ path: '/p?api_key=s3cret&x=1' }), BASE).name).toBe('GET /p');
    expect(compileStep(step({ url: 'https://h.test/u?token=abc#frag' }), BASE).name).toBe(
      'GET https://h.test/u',
    );
    expect(compileStep(step({ url: '${base}/u?sig=${sig}' }), BASE).name).toBe('GET ${base}/u');
    expect(defaultName('GET', 'http://user:pass@h.test:8080/x?y=1')).toBe('GET http://h.test:8080/x');
    expect(defaultName('POST', 'https://${user}:${pw}@h.test/')).toBe('POST https://h.test/');
    expect(defaultName('GET', '/a@b')).toBe('GET /a@b');
  });
});
