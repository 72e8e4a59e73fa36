import { describe, expect, it } from 'vitest';
import { cdnInvalidationConfig } from '../../lambdas/config/cache';
import { ConfigError } from '../../lambdas/config/parse';
import {
  type CdnInvalidator,
  type InvalidationResult,
  invalidateBatch,
} from '../../lambdas/core/cdn/invalidate-batch';
import {
  CLOUDFRONT_INVALIDATION_LIMITS,
  invalidationMessage,
  parseInvalidationMessage,
} from '../../lambdas/core/cdn/invalidation-message';
import { type InvalidationRequest, planInvalidations } from '../../lambdas/core/cdn/invalidation-plan';

// The invalidation worker's pure half: a batch of queued messages → CreateInvalidation calls within
// CloudFront's limits, and which messages must be delivered again. The CDN port is a recorder here;
// the CloudFront adapter is tested against moto in test/integration/cloudfront-invalidator.test.ts.

const req = (id: string, ...paths: string[]): InvalidationRequest => ({ id, paths });
const test = (id: string, file = 'results') => `/performance/tests/${id}/${file}`;

/** A CDN that records each call and answers from a script (created, throttled or an error). */
function recordingCdn(answers: ('created' | 'throttled' | Error)[] = []) {
  const calls: { paths: readonly string[]; requestIds: readonly string[] }[] = [];
  const cdn: CdnInvalidator = {
    async invalidate(paths, requestIds): Promise<InvalidationResult> {
      calls.push({ paths, requestIds });
      const answer = answers[calls.length - 1] ?? 'created';
      if (answer instanceof Error) throw answer;
      return answer === 'created'
        ? { status: 'created', id: `I${calls.length}` }
        : { status: 'throttled', message: 'Your request contains too many invalidations.' };
    },
  };
  return { cdn, calls };
}

describe('invalidation messages', () => {
  it('are JSON objects of paths; producers get the body from invalidationMessage', () => {
    const body = invalidationMessage(['/performance/tests/abc/*']);
    expect(JSON.parse(body)).toEqual({ paths: ['/performance/tests/abc/*'] });
    expect(parseInvalidationMessage(body)).toEqual({ paths: ['/performance/tests/abc/*'] });
  });

  it('list every problem of a bad message, each with its place', () => {
    const parsed = parseInvalidationMessage(
      JSON.stringify({ paths: ['no-slash', '/a?format=html', '/a*/b', '/with space', ''], extra: 1 }),
    );
    expect('problems' in parsed && parsed.problems).toEqual([
      'paths.0: must start with "/"',
      'paths.1: must not hold a query string or fragment: end the path with "*" instead',
      'paths.2: may hold "*" only as its last character',
      'paths.3: must be URL-encoded (printable ASCII, no spaces)',
      'paths.4: must not be empty',
      expect.stringMatching(/^paths\.4: must start with "\/"/),
      'message: Unrecognized key: "extra"',
    ]);
    expect(parseInvalidationMessage('{not json')).toEqual({
      problems: [expect.stringMatching(/^is not JSON: /)],
    });
    expect(parseInvalidationMessage('{"paths": []}')).toEqual({
      problems: ['paths: must name at least one path'],
    });
  });

  it('are refused at the producer when a path is not one CloudFront takes', () => {
    expect(() => invalidationMessage(['performance/tests'])).toThrow(/must start with/);
  });
});

describe('planInvalidations', () => {
  it('sends every distinct path once, serving each request that asked for it', () => {
    const plan = planInvalidations([
      req('m1', test('a'), test('b')),
      req('m2', test('b'), test('a')),
      req('m3', test('c')),
    ]);
    expect(plan).toEqual({
      calls: [{ kind: 'files', paths: [test('a'), test('b'), test('c')], requestIds: ['m1', 'm2', 'm3'] }],
      deferred: [],
      rejected: [],
    });
  });

  it('drops what a wildcard of the batch covers, and the covering call serves those requests', () => {
    const plan = planInvalidations([
      req('m1', test('a'), test('a', 'report.html')),
      req('m2', '/performance/tests/a/*'),
      req('m3', '/performance/tests/a/results*', test('b')),
      req('m4', '/performance/*'),
    ]);
    expect(plan.calls).toEqual([
      { kind: 'wildcards', paths: ['/performance/*'], requestIds: ['m1', 'm2', 'm3', 'm4'] },
    ]);
  });

  it('collapses a directory of at least collapseAt paths into one wildcard, and not one path fewer', () => {
    const paths = (n: number) => Array.from({ length: n }, (_, i) => test('abc', `windows/${i}.bin`));
    const below = planInvalidations([req('m1', ...paths(9))], { collapseAt: 10 });
    expect(below.calls).toEqual([{ kind: 'files', paths: [...paths(9)].sort(), requestIds: ['m1'] }]);
    const at = planInvalidations([req('m1', ...paths(9)), req('m2', test('abc', 'windows/9.bin'))], {
      collapseAt: 10,
    });
    expect(at.calls).toEqual([
      { kind: 'wildcards', paths: ['/performance/tests/abc/windows/*'], requestIds: ['m1', 'm2'] },
    ]);
  });

  it('collapses deepest first, then parents whose children (wildcards included) reach the threshold', () => {
    // Three tests with three files each: each test directory becomes a wildcard (3 ≥ 3), and then the
    // three wildcards make /performance/tests/ reach 3 as well.
    const requests = ['a', 'b', 'c'].map((id) =>
      req(id, test(id), test(id, 'report.html'), test(id, 'requests.csv')),
    );
    expect(planInvalidations(requests, { collapseAt: 3 }).calls).toEqual([
      { kind: 'wildcards', paths: ['/performance/tests/*'], requestIds: ['a', 'b', 'c'] },
    ]);
    // Two files per test: no test directory collapses, but /performance/tests/ holds six.
    const two = ['a', 'b', 'c'].map((id) => req(id, test(id), test(id, 'report.html')));
    expect(planInvalidations(two, { collapseAt: 3 }).calls).toEqual([
      { kind: 'wildcards', paths: ['/performance/tests/*'], requestIds: ['a', 'b', 'c'] },
    ]);
  });

  it('never widens a batch above minCollapseDepth on its own', () => {
    const many = Array.from({ length: 12 }, (_, i) => `/performance/file-${i}`);
    expect(planInvalidations([req('m1', ...many)]).calls).toEqual([
      { kind: 'files', paths: [...many].sort(), requestIds: ['m1'] },
    ]);
    const tests = Array.from({ length: 12 }, (_, i) => `/performance/tests/t${i}/*`);
    expect(planInvalidations([req('m1', ...tests)], { minCollapseDepth: 3 }).calls).toEqual([
      { kind: 'wildcards', paths: [...tests].sort().slice(0, 15), requestIds: ['m1'] },
    ]);
  });

  it('keeps files and wildcards in separate calls (CloudFront limits them separately), files first', () => {
    const plan = planInvalidations([req('m1', '/performance/tests/a/*'), req('m2', test('b'))]);
    expect(plan.calls).toEqual([
      { kind: 'files', paths: [test('b')], requestIds: ['m2'] },
      { kind: 'wildcards', paths: ['/performance/tests/a/*'], requestIds: ['m1'] },
    ]);
  });

  it('sends the oldest requests first and defers what does not fit the limits', () => {
    const limits = { filePaths: 3, wildcardPaths: 2 };
    const plan = planInvalidations(
      [
        req('m1', test('z'), test('y')),
        req('m2', test('x'), test('w')),
        req('m3', '/performance/tests/q/*'),
        req('m4', '/performance/tests/p/*'),
        req('m5', '/performance/tests/o/*', test('z')),
      ],
      { limits },
    );
    expect(plan.calls).toEqual([
      // m1's paths, then m2's (sorted within the same request); m2's second path does not fit.
      { kind: 'files', paths: [test('y'), test('z'), test('w')], requestIds: ['m1', 'm2', 'm5'] },
      {
        kind: 'wildcards',
        paths: ['/performance/tests/q/*', '/performance/tests/p/*'],
        requestIds: ['m3', 'm4'],
      },
    ]);
    // A request with any path left out is retried whole.
    expect(plan.deferred).toEqual(['m2', 'm5']);
  });

  it('fits the defaults to CloudFront’s limits: 3,000 file paths and 15 wildcards in progress', () => {
    expect(CLOUDFRONT_INVALIDATION_LIMITS).toEqual({ filePaths: 3000, wildcardPaths: 15 });
    const files = Array.from({ length: 3001 }, (_, i) => `/f/${String(i).padStart(4, '0')}`);
    const requests = files.map((path, i) => req(`m${i}`, path));
    const plan = planInvalidations(requests, { collapseAt: 10_000 });
    expect(plan.calls.map((c) => [c.kind, c.paths.length])).toEqual([['files', 3000]]);
    expect(plan.deferred).toEqual(['m3000']);
    const wildcards = Array.from({ length: 16 }, (_, i) => req(`w${i}`, `/t/${i}/*`));
    const w = planInvalidations(wildcards, { collapseAt: 100 });
    expect(w.calls.map((c) => [c.kind, c.paths.length])).toEqual([['wildcards', 15]]);
    expect(w.deferred).toEqual(['w15']);
  });

  it('plans the same batch the same way, whatever the order of paths within a message', () => {
    const a = planInvalidations([req('m1', test('b'), test('a')), req('m2', test('c'))]);
    const b = planInvalidations([req('m1', test('a'), test('b')), req('m2', test('c'))]);
    expect(a).toEqual(b);
  });

  it('rejects a request that is not valid, on its own, without holding back the others', () => {
    const plan = planInvalidations([req('bad', 'relative/path'), req('ok', test('a')), req('empty')]);
    expect(plan.calls).toEqual([{ kind: 'files', paths: [test('a')], requestIds: ['ok'] }]);
    expect(plan.rejected).toEqual([
      { id: 'bad', problems: ['paths.0: must start with "/"'] },
      { id: 'empty', problems: ['paths: must name at least one path'] },
    ]);
  });
});

describe('invalidateBatch', () => {
  it('sends each planned call, fails nothing when all went out', async () => {
    const { cdn, calls } = recordingCdn();
    const outcome = await invalidateBatch([req('m1', test('a')), req('m2', '/performance/tests/b/*')], cdn);
    expect(calls).toEqual([
      { paths: [test('a')], requestIds: ['m1'] },
      { paths: ['/performance/tests/b/*'], requestIds: ['m2'] },
    ]);
    expect(outcome.created.map((c) => c.id)).toEqual(['I1', 'I2']);
    expect(outcome.failed).toEqual([]);
    expect(outcome.throttled).toEqual([]);
  });

  it('when CloudFront has too many wildcards in progress, still sends the files and retries the wildcard requests', async () => {
    const { cdn } = recordingCdn(['created', 'throttled']);
    const outcome = await invalidateBatch(
      [
        req('m1', '/performance/tests/a/*'),
        req('m2', test('b')),
        req('m3', '/performance/tests/c/*', test('d')),
      ],
      cdn,
    );
    expect(outcome.created.map((c) => c.call.kind)).toEqual(['files']);
    expect(outcome.throttled).toEqual(['wildcards']);
    expect(outcome.failed).toEqual(['m1', 'm3']);
  });

  it('retries the deferred, the rejected and the requests of a call that failed, in arrival order', async () => {
    const { cdn } = recordingCdn([new Error('AccessDenied')]);
    const outcome = await invalidateBatch(
      [req('m1', '/performance/tests/a/*'), req('bad', '?'), req('m2', test('b')), req('m3', test('c'))],
      cdn,
      { limits: { filePaths: 1, wildcardPaths: 15 } },
    );
    // The file call (m2) failed, m3 did not fit, the wildcard call (m1) went out.
    expect(outcome.created.map((c) => c.call.requestIds)).toEqual([['m1']]);
    expect(outcome.errors.map((e) => String(e.error))).toEqual(['Error: AccessDenied']);
    expect(outcome.failed).toEqual(['bad', 'm2', 'm3']);
    expect(outcome.rejected.map((r) => r.id)).toEqual(['bad']);
  });
});

describe('cdnInvalidationConfig', () => {
  it('reads the region and the distribution id, naming every bad variable', () => {
    expect(
      cdnInvalidationConfig({ AWS_REGION: 'eu-west-1', THROUGHLINE_CDN_DISTRIBUTION_ID: 'E2QWRUHAPOMQZL' }),
    ).toEqual({ region: 'eu-west-1', distributionId: 'E2QWRUHAPOMQZL' });
    expect(() => cdnInvalidationConfig({ THROUGHLINE_CDN_DISTRIBUTION_ID: 'not-an-id' })).toThrow(
      ConfigError,
    );
    try {
      cdnInvalidationConfig({ THROUGHLINE_CDN_DISTRIBUTION_ID: 'not-an-id' });
    } catch (err) {
      expect((err as Error).message).toContain('AWS_REGION is not set');
      expect((err as Error).message).toContain('THROUGHLINE_CDN_DISTRIBUTION_ID="not-an-id"');
    }
  });
});
