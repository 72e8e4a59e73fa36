import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTestId } from '../../lambdas/adapters/node/ids';
import { parseTestDefinition } from '../../lambdas/core/load/validate';
import { runInProcess } from '../../lambdas/core/run/run-in-process';
import { startHttp, type TestServer } from '../helpers/http-servers';
import { localPipeline } from '../helpers/local-pipeline';

// Issue item 6 end to end: a value captured from a response is filled into a header at run time.
// A response that hands back CR/LF must not smuggle a Host header into the next request: the
// request is not sent and counts as failed ("other"); the VU goes on with its next iteration.

let target: TestServer;
const seen: { url: string; host: string | undefined; token: string | undefined }[] = [];
beforeAll(async () => {
  target = await startHttp((req, res) => {
    seen.push({
      url: req.url ?? '',
      host: req.headers.host,
      token: req.headers['x-token'] as string | undefined,
    });
    if (req.url === '/login-good') res.end('token=abc123;');
    else if (req.url === '/login-evil') res.end('token=abc\r\nHost: evil.test;');
    else res.end('ok');
  });
});
afterAll(() => target.close());

describe('headers filled from captures', () => {
  it('sends a clean captured value and refuses one holding CR/LF, counting it as a failed request', async () => {
    const input = {
      baseUrl: target.url,
      scenarios: {
        s: {
          executor: 'per-vu-iterations',
          vus: 1,
          iterations: 2,
          flows: [
            {
              name: 'good',
              requests: [
                { name: 'login good', path: '/login-good', capture: { token: { regex: 'token=([^;]*)' } } },
                { name: 'use good', path: '/use-good', headers: { 'X-Token': '${token}' } },
              ],
            },
          ],
        },
        evil: {
          executor: 'per-vu-iterations',
          vus: 1,
          iterations: 2,
          requests: [
            { name: 'login evil', path: '/login-evil', capture: { bad: { regex: 'token=([^;]*)' } } },
            { name: 'use evil', path: '/use-evil', headers: { 'X-Token': '${bad}' } },
          ],
        },
      },
    };
    const dir = await mkdtemp(join(tmpdir(), 'throughline-inject-'));
    try {
      const deps = localPipeline(dir, 1);
      const r = await runInProcess(
        { ...deps, newId: newTestId },
        { input, test: parseTestDefinition(input) },
      );
      const by = (name: string) => r.byRequest.find((q) => q.name === name);
      expect(by('use good')).toMatchObject({ requests: 2, errors: 0 });
      expect(by('login evil')).toMatchObject({ requests: 2, errors: 0 });
      expect(by('use evil')).toMatchObject({ requests: 2, errors: 2, errorsByKind: { other: 2 } });
      expect(seen.filter((s) => s.url === '/use-good').map((s) => s.token)).toEqual(['abc123', 'abc123']);
      expect(seen.some((s) => s.url === '/use-evil')).toBe(false);
      expect(seen.every((s) => s.host === new URL(target.url).host)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
