import { openApiHandler } from '../http/handlers';
import { log, withPowertools } from './powertools';

/** Lambda entry: serves the generated OpenAPI document (needs no AWS resources). */
export const handler = withPowertools(openApiHandler({ log }));
