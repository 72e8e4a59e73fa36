import { describe, expect, it } from 'vitest';
import { resultsPolicy } from '../../lambdas/entrypoints/http/cache-policies';
import { apiEvent } from '../helpers/api-event';

// Protects the results cache's key space (issue item 10c): results vary on the format a request
// gets, so every spelling of one Accept shares one entry, and made-up Accept values mint no keys.

const policy = resultsPolicy(60, async () => 'v1');
async function keyOf(accept: string | undefined, query?: Record<string, string>) {
  const event = apiEvent('GET', '/performance/tests/t1/results', {
    pathParameters: { id: 't1' },
    ...(query ? { query } : {}),
  });
  if (accept !== undefined) event.headers = { Accept: accept };
  return policy.keyOf(event);
}

describe('results cache key', () => {
  it('is one key per negotiated format, whatever the case, spacing or parameters of Accept', async () => {
    const csv = await keyOf('text/csv');
    expect(csv).toBeDefined();
    for (const accept of [
      'text/CSV',
      'TEXT/csv ; charset=utf-8',
      'text/csv;q=0.9, made/up-1',
      'x/y;q=0.1, text/csv',
    ])
      expect(await keyOf(accept)).toBe(csv);
    expect(await keyOf(undefined, { format: 'csv' })).toBe(csv);
    const json = await keyOf(undefined);
    for (const accept of ['*/*', 'application/json', 'Application/JSON; q=1', 'made/up, */*;q=0.1'])
      expect(await keyOf(accept)).toBe(json);
    expect(json).not.toBe(csv);
  });

  it('keeps other query parameters apart, and does not cache what it cannot serve', async () => {
    expect(await keyOf('text/csv', { table: 'timeseries' })).not.toBe(await keyOf('text/csv'));
    expect(await keyOf('made/up-1')).toBeUndefined();
  });
});
