import { awsAlarms } from '../../composition/aws-operations';
import { awsConfig } from '../../config/aws';
import { listAlarmsHandler } from '../http/ops-handlers';
import { log, withPowertools } from './powertools';

/** Lambda entry of GET /performance/alarms: configuration and adapters are built once per container. */
export const handler = withPowertools(listAlarmsHandler({ alarms: awsAlarms(awsConfig()), log }));
