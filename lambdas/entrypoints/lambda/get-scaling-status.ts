import { awsScaling } from '../../composition/aws-operations';
import { awsConfig } from '../../config/aws';
import { scalingStatusHandler } from '../http/ops-handlers';
import { log, withPowertools } from './powertools';

/** Lambda entry of GET /performance/scaling/status: configuration and adapters are built once per container. */
export const handler = withPowertools(scalingStatusHandler({ scaling: awsScaling(awsConfig(), log), log }));
