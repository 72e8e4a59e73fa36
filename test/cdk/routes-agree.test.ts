import { describe, expect, it } from 'vitest';
import { ROUTES as HTTP_ROUTES } from '../../lambdas/entrypoints/http/routes';
import { API_BASE_PATH, ROUTES as CDK_ROUTES, pathsOf } from '../../lib/constructs/api/routes';

// The deployed API (lib/) and the handlers' route table (lambdas/, which the local server and
// OpenAPI use) are written separately, since lib may not import runtime code: they must agree.
describe('route tables', () => {
  it('the API Gateway routes are exactly the routes the handlers and OpenAPI know', () => {
    const deployed = CDK_ROUTES.flatMap((r) =>
      pathsOf(r).map((p) => `${r.method} /${API_BASE_PATH}/${p}`),
    ).sort();
    const served = HTTP_ROUTES.map((r) => `${r.method} ${r.path}`).sort();
    expect(deployed).toEqual(served);
  });
});
