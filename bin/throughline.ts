// The CDK app: settings from cdk.json context → the stack → cdk-nag's AWS Solutions checks.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadSettings } from '../lib/config/load-settings';
import { ThroughlineStack } from '../lib/stacks/throughline-stack';

const app = new App();
new ThroughlineStack(app, 'Throughline', {
  settings: loadSettings(app),
  description:
    'Throughline: performance and load-testing platform (performance API, test storage, distributed runs, ' +
    'cache tier and CDN)',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
