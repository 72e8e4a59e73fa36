import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { createCloudWatchMetrics } from '../../lambdas/adapters/aws/cloudwatch-metrics';
import { awsClientConfig, startMoto } from '../helpers/moto';
import { metricsProviderContract } from './metrics-provider.contract';

// CloudWatch on a real moto server, with an ECS service's CPU and memory put at known times.
// (moto cannot evaluate metric math or percentiles: the suite reads neither.)
metricsProviderContract('CloudWatch (moto)', async () => {
  const moto = await startMoto();
  const cloudwatch = new CloudWatchClient(awsClientConfig(moto.endpoint));
  const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
  const dims = [
    { Name: 'ClusterName', Value: 'shop' },
    { Name: 'ServiceName', Value: 'cart' },
  ];
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/ECS',
      MetricData: [0, 1, 2, 3].flatMap((m) =>
        [5, 50].map((v, i) => ({
          MetricName: 'MemoryUtilization',
          Dimensions: dims,
          Timestamp: new Date(start + m * 60_000 + i * 20_000),
          Value: v + m,
        })),
      ),
    }),
  );
  return {
    provider: createCloudWatchMetrics({
      cloudwatch,
      cloudwatchUsEast1: cloudwatch,
      resources: [{ kind: 'ecs', owner: 'target', cluster: 'shop', service: 'cart' }],
    }),
    group: 'memory',
    window: (stat) => ({ startMs: start, endMs: start + 10 * 60_000, periodSeconds: 60, stat }),
    cleanup: async () => {
      cloudwatch.destroy();
      await moto.stop();
    },
  };
});
