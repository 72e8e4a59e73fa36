// The stack's outputs: where to call the API, the stores and topics, the cache and CDN, and the
// secret to put a webhook URL into.
import { CfnOutput, type Stack } from 'aws-cdk-lib';
import type { PerformanceApi } from '../constructs/api/performance-api';
import { API_BASE_PATH } from '../constructs/api/routes';
import type { CacheTier } from '../constructs/cache/cache-tier';
import type { CdnInvalidation } from '../constructs/cache/cdn-invalidation';
import type { ResultsCdn } from '../constructs/cache/results-cdn';
import type { LoadTestOrchestrator } from '../constructs/load-test/load-test-orchestrator';
import type { AlarmNotifications } from '../constructs/observability/alarm-notifications';
import type { PlatformDashboard } from '../constructs/observability/platform-dashboard';
import type { TestStorage } from '../constructs/storage/test-storage';

/** The constructs whose names and URLs a user of the deployment needs. */
export interface PlatformOutputParts {
  readonly api: PerformanceApi;
  readonly storage: TestStorage;
  readonly orchestrator: LoadTestOrchestrator;
  readonly alarmNotifications: AlarmNotifications;
  readonly dashboard: PlatformDashboard;
  readonly cache?: CacheTier | undefined;
  readonly cdn?: ResultsCdn | undefined;
  readonly invalidations?: CdnInvalidation | undefined;
}

export function addPlatformOutputs(stack: Stack, parts: PlatformOutputParts): void {
  new CfnOutput(stack, 'ApiUrl', {
    description: 'Base URL of the performance API (requests must be SigV4-signed for execute-api)',
    value: `${parts.api.api.url}${API_BASE_PATH}`,
  });
  new CfnOutput(stack, 'TableName', {
    description: 'DynamoDB table of tests',
    value: parts.storage.table.tableName,
  });
  new CfnOutput(stack, 'ResultsBucketName', {
    description: 'S3 bucket of test results',
    value: parts.storage.resultsBucket.bucketName,
  });
  new CfnOutput(stack, 'StateMachineArn', {
    description: 'Step Functions state machine of distributed runs (one execution per test, named after it)',
    value: parts.orchestrator.stateMachineArn,
  });
  new CfnOutput(stack, 'NotificationsTopicArn', {
    description: 'SNS topic announcing every finished distributed run',
    value: parts.orchestrator.notifications.topic.topicArn,
  });
  new CfnOutput(stack, 'AlarmTopicArn', {
    description: 'SNS topic of alarm notifications (the composite alarm, or every alarm if configured)',
    value: parts.alarmNotifications.topic.topicArn,
  });
  new CfnOutput(stack, 'DashboardName', {
    description: 'CloudWatch dashboard of the platform and its registered targets',
    value: parts.dashboard.dashboard.dashboardName,
  });
  parts.cache?.addOutputs(stack);
  parts.cdn?.addOutputs(stack);
  if (parts.invalidations !== undefined)
    new CfnOutput(stack, 'CdnInvalidationQueueUrl', {
      description: 'SQS queue of CDN invalidations: send {"paths": ["/reports/<id>/*"]}',
      value: parts.invalidations.queue.queueUrl,
    });
  const secret = parts.alarmNotifications.webhookSecret;
  if (secret !== undefined)
    new CfnOutput(stack, 'WebhookSecretArn', {
      description: 'Secret to put the Slack or webhook URL into (aws secretsmanager put-secret-value)',
      value: secret.secretArn,
    });
}
