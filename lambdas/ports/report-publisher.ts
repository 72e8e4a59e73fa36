/**
 * Where a finished test's reports are published for the CDN to serve (S3 `reports/<id>/…`, read by
 * CloudFront through Origin Access Control; ADR 006).
 */
export interface ReportPublisher {
  /** Stores every file of one test's reports, replacing earlier versions of them. */
  publish(testId: string, files: readonly PublishedFile[]): Promise<void>;
}

/** One form of a test's finished results, rendered. */
export interface RenderedReport {
  readonly contentType: string;
  readonly body: string;
  /** The name a download gets (CSV). */
  readonly fileName?: string;
}

/**
 * A file of a test's published reports. `report` files (the HTML page, shared and viewed) may stay
 * at the edge longer than the `data` ones (JSON, CSV, JUnit, read by tools).
 */
export interface PublishedFile extends RenderedReport {
  /** File name under reports/<id>/ (the path viewers ask the CDN for). */
  readonly name: string;
  readonly kind: 'data' | 'report';
}
