import { RemovalPolicy } from 'aws-cdk-lib';
import type { RemovalMode } from '../../config/settings';

/** The CDK removal policy for the `removalPolicy` setting. */
export const toRemovalPolicy = (mode: RemovalMode): RemovalPolicy =>
  mode === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
