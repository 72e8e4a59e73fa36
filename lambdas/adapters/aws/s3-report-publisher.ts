import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { reportKey } from '../../model/published-reports';
import type { ReportPublisher } from '../../ports/report-publisher';

/**
 * A test's published reports in S3, `reports/<id>/<file>`: the CDN's origin (CloudFront reads the
 * prefix through Origin Access Control and nothing else of the bucket; ADR 006). Stored as is:
 * CloudFront compresses for viewers that accept it.
 */

export interface ReportCacheSeconds {
  /** How long the edge and browsers keep the data files (JSON, CSV, JUnit). */
  readonly data: number;
  /** How long the edge keeps the HTML report (browsers: as long as the data). */
  readonly report: number;
}

export function createS3ReportPublisher(
  s3: S3Client,
  bucket: string,
  cache: ReportCacheSeconds,
): ReportPublisher {
  return {
    async publish(testId, files) {
      await Promise.all(
        files.map((file) =>
          s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: reportKey(testId, file.name),
              Body: file.body,
              ContentType: file.contentType,
              CacheControl:
                file.kind === 'report'
                  ? `public, max-age=${cache.data}, s-maxage=${cache.report}`
                  : `public, max-age=${cache.data}`,
              ...(file.fileName ? { ContentDisposition: `inline; filename="${file.fileName}"` } : {}),
            }),
          ),
        ),
      );
    },
  };
}
