import { describe, expect, it } from 'vitest';
import { requestsCsv, timeseriesCsv } from '../../lambdas/core/report/csv';
import type { RequestResults, TestResults } from '../../lambdas/model/results';

// Protects whoever opens an exported CSV in a spreadsheet (issue item 10b): names come from test
// definitions, so text that a spreadsheet would run as a formula is quoted out; numbers stay numbers.

const latency = { min: -1, mean: 2, p50: 2, p90: 3, p95: 3, p99: 4, p999: 4, max: 5 };
const series = (over: Partial<RequestResults>): RequestResults => ({
  scenario: 's',
  name: 'GET /',
  method: 'GET',
  requests: 1,
  errors: 0,
  errorRate: 0,
  rps: 1,
  latencyMs: latency,
  errorsByKind: {},
  checks: [],
  bytesIn: 0,
  bytesOut: 0,
  histogram: '',
  ...over,
});
const results = (byRequest: RequestResults[]) =>
  ({
    byRequest,
    timeseries: [
      {
        t: 0,
        requests: 1,
        rps: 1,
        errors: 0,
        vus: 1,
        droppedIterations: 0,
        latencyMs: { p50: -2.5, p90: 1, p95: 1, p99: 1, max: 1 },
        workers: 1,
      },
    ],
  }) as unknown as TestResults;
const rows = (csv: string) => csv.trimEnd().split('\n').slice(1);

describe('CSV exports', () => {
  it('prefixes text cells that start with =, +, -, @, TAB or CR with a single quote', () => {
    const csv = requestsCsv(
      results([
        series({ name: '=HYPERLINK("http://evil.test","x")' }),
        series({ name: '+1+1', scenario: '-2' }),
        series({ name: '@SUM(A1)', method: '\tGET' }),
        series({ name: '\rcmd' }),
        series({ name: 'GET /a=b' }),
      ]),
    );
    const lines = rows(csv);
    expect(lines[0]).toMatch(/^s,"'=HYPERLINK\(""http:\/\/evil\.test"",""x""\)",GET,/);
    expect(lines[1]).toMatch(/^'-2,'\+1\+1,GET,/);
    expect(lines[2]).toMatch(/^s,'@SUM\(A1\),'\tGET,/);
    expect(csv).toContain(`s,"'\rcmd",GET,`);
    expect(lines[4]).toMatch(/^s,GET \/a=b,GET,/);
  });

  it('writes negative numbers as numbers', () => {
    expect(rows(requestsCsv(results([series({})])))[0]).toContain(',-1,2,2,3,3,4,4,5,');
    expect(rows(timeseriesCsv(results([])))[0]).toBe('0,1,0,1,0,-2.5,1,1,1,1,1');
  });
});
