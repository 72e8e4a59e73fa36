import { awsScaling } from '../../composition/aws-operations';
import { awsConfig } from '../../config/aws';
import { scalingManualHandler } from '../http/ops-handlers';
import { log, withPowertools } from './powertools';

/** Lambda entry of POST /performance/scaling/manual: configuration and adapters are built once per container. */
export const handler = withPowertools(scalingManualHandler({ scaling: awsScaling(awsConfig(), log), log }));
