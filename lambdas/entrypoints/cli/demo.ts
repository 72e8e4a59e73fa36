/** The test `throughline demo` (and `npm start`) runs against the bundled demo target. */
export function demoDefinition(baseUrl: string): Record<string, unknown> {
  return {
    name: 'demo-checkout',
    baseUrl,
    scenarios: {
      browse: {
        executor: 'constant-arrival-rate',
        rate: 100,
        timeUnit: '1s',
        duration: '20s',
        preAllocatedVUs: 20,
        maxVUs: 200,
        flows: [
          {
            name: 'catalogue',
            weight: 3,
            requests: [{ name: 'products', path: '/api/products', checks: [{ status: 200 }] }],
          },
          {
            name: 'product',
            weight: 1,
            requests: [{ name: 'product', path: '/api/products/7', checks: [{ json: '$.id', equals: 7 }] }],
          },
        ],
      },
      buy: {
        executor: 'ramping-vus',
        startVUs: 0,
        stages: [
          { duration: '5s', target: 10 },
          { duration: '10s', target: 10 },
          { duration: '5s', target: 0 },
        ],
        thinkTime: { min: '100ms', max: '300ms' },
        requests: [
          {
            name: 'login',
            method: 'POST',
            path: '/api/login',
            body: { user: 'vu-${__VU}' },
            checks: [{ status: 200 }, { json: '$.token', exists: true }],
            capture: { token: { json: '$.token' } },
          },
          {
            name: 'add to cart',
            method: 'POST',
            path: '/api/cart',
            headers: { authorization: 'Bearer ${token}' },
            body: { product: 7 },
            checks: [{ status: 200 }],
          },
        ],
      },
    },
    thresholds: {
      http_req_duration: ['p(95)<250'],
      'http_req_duration{name:login}': ['p(99)<500'],
      http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '5s' }],
      checks: ['rate>0.99'],
    },
  };
}
