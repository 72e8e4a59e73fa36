import { EcsRunTask, type EcsRunTaskProps } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/**
 * An `ecs:runTask.sync` task whose ecs:StopTask and ecs:DescribeTasks are held to its own cluster.
 *
 * The integration grants both on "*": the task ARNs it stops and polls only exist once RunTask has
 * made them (random ids). Both actions support the `ecs:cluster` condition key, so the state
 * machine can stop or read tasks of the run cluster only, not of any other cluster in the account.
 */
export class ClusterBoundRunTask extends EcsRunTask {
  constructor(scope: Construct, id: string, props: EcsRunTaskProps) {
    super(scope, id, props);
    for (const statement of this.taskPolicies ?? [])
      if (statement.actions.includes('ecs:StopTask'))
        statement.addCondition('ArnEquals', { 'ecs:cluster': props.cluster.clusterArn });
  }
}
