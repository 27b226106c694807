import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from './nag';
import { DeployRulesPlugin } from './deploy-rules';
import { SmsCrmStack } from './stack';

const app = new App();

new SmsCrmStack(app, app.node.tryGetContext('stackName') ?? 'SmsCrm', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'SMS conversation backend for sales CRMs',
});

// cdk-nag's AwsSolutions pack runs on every synth; unacknowledged errors fail it. So does a template AWS would
// refuse (a quota or an account prerequisite; infra/deploy-rules.ts).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }), new DeployRulesPlugin());
