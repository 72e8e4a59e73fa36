import {
  ApplicationAutoScalingClient,
  DeregisterScalableTargetCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll } from 'vitest';
import { createAppAutoScaling } from '../../lambdas/adapters/aws/app-autoscaling';
import type { ScalableTargetRef } from '../../lambdas/model/scaling';
import { awsClientConfig, type Moto, startMoto } from '../helpers/moto';
import { scalingBackendContract } from './scaling-backend.contract';

// Application Auto Scaling on a real moto server, an ECS service behind each target. moto 5.2.5
// does not implement DescribeScalingActivities: a middleware answers it with no activities (the
// only stubbed call; the adapter's paging of real activities is tested in app-autoscaling.test.ts).

let moto: Moto;
let aas: ApplicationAutoScalingClient;
let ecs: ECSClient;
beforeAll(async () => {
  moto = await startMoto();
  const config = awsClientConfig(moto.endpoint);
  aas = new ApplicationAutoScalingClient(config);
  aas.middlewareStack.add(
    (next, context) => async (args) =>
      context.commandName === 'DescribeScalingActivitiesCommand'
        ? ({ output: { ScalingActivities: [], $metadata: {} }, response: {} } as unknown as Awaited<
            ReturnType<typeof next>
          >)
        : next(args),
    { step: 'initialize', name: 'noActivities' },
  );
  ecs = new ECSClient(config);
  await ecs.send(new CreateClusterCommand({ clusterName: 'contract' }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'app',
      containerDefinitions: [{ name: 'app', image: 'app:1', memory: 256 }],
    }),
  );
});
afterAll(async () => {
  aas?.destroy();
  ecs?.destroy();
  await moto?.stop();
});

let seq = 0;
scalingBackendContract('Application Auto Scaling (moto)', async () => {
  const service = `svc-${++seq}`;
  await ecs.send(
    new CreateServiceCommand({
      cluster: 'contract',
      serviceName: service,
      taskDefinition: 'app',
      desiredCount: 1,
    }),
  );
  const target: ScalableTargetRef = {
    id: service,
    kind: 'ecs-service',
    serviceNamespace: 'ecs',
    resourceId: `service/contract/${service}`,
    scalableDimension: 'ecs:service:DesiredCount',
    limits: { min: 0, max: 100 },
  };
  const identity = {
    ServiceNamespace: 'ecs' as const,
    ResourceId: target.resourceId,
    ScalableDimension: 'ecs:service:DesiredCount' as const,
  };
  await aas.send(new RegisterScalableTargetCommand({ ...identity, MinCapacity: 1, MaxCapacity: 10 }));
  return {
    backend: createAppAutoScaling({ autoscaling: aas, ecs }),
    target,
    cleanup: async () => {
      await aas.send(new DeregisterScalableTargetCommand(identity));
    },
  };
});
