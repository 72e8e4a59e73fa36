import { awsPlatform } from '../../composition/aws';
import { awsConfig } from '../../config/aws';
import { getTestHandler } from '../http/handlers';
import { log, withPowertools } from './powertools';

/** Lambda entry (API Gateway proxy): configuration and adapters are built once per container. */
export const handler = withPowertools(getTestHandler({ platform: awsPlatform(awsConfig()), log }));
