import type { TestResults } from '../../model/results';
import type { PublishedFile, RenderedReport } from '../../ports/report-publisher';
import { requestsCsv, timeseriesCsv } from './csv';
import { REPORT_CSP, renderHtml } from './html';

export { REPORT_CSP };

import { renderJunit } from './junit';

/**
 * Finished results in each of their forms, rendered one way for the API (GET …/results?format=)
 * and for the files the aggregate step publishes behind the CDN (reports/<id>/…).
 */

export type ReportFormat = 'json' | 'csv' | 'junit' | 'html';
export type CsvTable = 'requests' | 'timeseries';

export function renderReport(
  testId: string,
  results: TestResults,
  format: ReportFormat,
  table: CsvTable = 'requests',
): RenderedReport {
  switch (format) {
    case 'json':
      return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(results) };
    case 'csv':
      return {
        contentType: 'text/csv; charset=utf-8',
        body: table === 'timeseries' ? timeseriesCsv(results) : requestsCsv(results),
        fileName: `throughline-${testId}-${table}.csv`,
      };
    case 'junit':
      return { contentType: 'application/xml; charset=utf-8', body: renderJunit(results) };
    case 'html':
      return { contentType: 'text/html; charset=utf-8', body: renderHtml(results) };
  }
}

/** The files of reports/<id>/, in a fixed order; every format and CSV table the API offers. */
export const PUBLISHED_FILES = [
  { name: 'results.json', format: 'json', kind: 'data' },
  { name: 'requests.csv', format: 'csv', table: 'requests', kind: 'data' },
  { name: 'timeseries.csv', format: 'csv', table: 'timeseries', kind: 'data' },
  { name: 'junit.xml', format: 'junit', kind: 'data' },
  { name: 'report.html', format: 'html', kind: 'report' },
] as const satisfies readonly {
  name: string;
  format: ReportFormat;
  table?: CsvTable;
  kind: PublishedFile['kind'];
}[];

export function publishedFiles(testId: string, results: TestResults): PublishedFile[] {
  return PUBLISHED_FILES.map((f) => ({
    ...renderReport(testId, results, f.format, 'table' in f ? f.table : undefined),
    name: f.name,
    kind: f.kind,
  }));
}
