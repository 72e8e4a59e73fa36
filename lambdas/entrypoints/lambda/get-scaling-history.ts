import { awsScaling } from '../../composition/aws-operations';
import { awsConfig } from '../../config/aws';
import { scalingHistoryHandler } from '../http/ops-handlers';
import { log, withPowertools } from './powertools';

/** Lambda entry of GET /performance/scaling/history: configuration and adapters are built once per container. */
export const handler = withPowertools(scalingHistoryHandler({ scaling: awsScaling(awsConfig(), log), log }));
