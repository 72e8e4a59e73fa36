import { awsScaling } from '../../composition/aws-operations';
import { awsConfig } from '../../config/aws';
import { scalingConfigHandler } from '../http/ops-handlers';
import { log, withPowertools } from './powertools';

/** Lambda entry of PUT /performance/scaling/config: configuration and adapters are built once per container. */
export const handler = withPowertools(scalingConfigHandler({ scaling: awsScaling(awsConfig(), log), log }));
