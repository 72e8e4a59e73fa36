/** Test definitions tests build again and again. */

/** An open-model test: `perSecond` arrivals for `duration` against `${baseUrl}/`, 1 s graceful stop. */
export const arrivalRate = (
  baseUrl: string,
  perSecond: number,
  duration: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  baseUrl,
  scenarios: {
    s: {
      executor: 'constant-arrival-rate',
      rate: perSecond,
      duration,
      preAllocatedVUs: 20,
      gracefulStop: '1s',
      requests: [{ path: '/' }],
    },
  },
  ...extra,
});
