import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { policyJson } from '../config/load-settings';
import type { ThroughlineSettings } from '../config/settings';
import { PerformanceApi } from '../constructs/api/performance-api';
import { API_BASE_PATH } from '../constructs/api/routes';
import { LoadTestOrchestrator } from '../constructs/load-test/load-test-orchestrator';
import { EncryptedLogs } from '../constructs/observability/encrypted-logs';
import { TestStorage } from '../constructs/storage/test-storage';
import { LAMBDA_ENTRY_DIR } from '../project-paths';

export interface ThroughlineStackProps extends StackProps {
  readonly settings: ThroughlineSettings;
}

/** Composes the platform's constructs; each concern lives in its own construct under lib/constructs. */
export class ThroughlineStack extends Stack {
  readonly storage: TestStorage;
  readonly orchestrator: LoadTestOrchestrator;
  readonly api: PerformanceApi;

  constructor(scope: Construct, id: string, props: ThroughlineStackProps) {
    super(scope, id, props);
    const { settings } = props;

    const logs = new EncryptedLogs(this, 'Logs', {
      // The schema only admits values CloudWatch Logs accepts, which are exactly RetentionDays'.
      retention: settings.logRetentionDays as RetentionDays,
      removalPolicy: settings.removalPolicy,
    });
    this.storage = new TestStorage(this, 'Storage', {
      removalPolicy: settings.removalPolicy,
      resultsRetentionDays: settings.resultsRetentionDays,
      accessLogRetentionDays: settings.logRetentionDays,
    });
    const environment = {
      THROUGHLINE_TABLE_NAME: this.storage.table.tableName,
      THROUGHLINE_RESULTS_BUCKET: this.storage.resultsBucket.bucketName,
      THROUGHLINE_POLICY: policyJson(settings),
      POWERTOOLS_SERVICE_NAME: 'throughline',
      POWERTOOLS_METRICS_NAMESPACE: 'Throughline',
      NODE_OPTIONS: '--enable-source-maps',
    };
    this.orchestrator = new LoadTestOrchestrator(this, 'LoadTest', {
      settings,
      logs,
      storage: this.storage,
      entryDir: LAMBDA_ENTRY_DIR,
      environment,
    });
    this.api = new PerformanceApi(this, 'PerformanceApi', {
      entryDir: LAMBDA_ENTRY_DIR,
      storage: this.storage,
      runs: this.orchestrator,
      logs,
      throttle: settings.apiThrottle,
      environment,
    });

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the performance API (requests must be SigV4-signed for execute-api)',
      value: `${this.api.api.url}${API_BASE_PATH}`,
    });
    new CfnOutput(this, 'TableName', {
      description: 'DynamoDB table of tests',
      value: this.storage.table.tableName,
    });
    new CfnOutput(this, 'ResultsBucketName', {
      description: 'S3 bucket of test results',
      value: this.storage.resultsBucket.bucketName,
    });
    new CfnOutput(this, 'StateMachineArn', {
      description:
        'Step Functions state machine of distributed runs (one execution per test, named after it)',
      value: this.orchestrator.stateMachineArn,
    });
    new CfnOutput(this, 'NotificationsTopicArn', {
      description: 'SNS topic announcing every finished distributed run',
      value: this.orchestrator.notifications.topic.topicArn,
    });
  }
}
