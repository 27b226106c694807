import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SmsCrmStack } from '../../infra/stack';
import { TEST_DEPLOYMENT, TemplateModel, type CfnTemplate } from '../../scripts/local/synthesized-template';
import { PolicyCheck } from './policy-check';
import { exercises, grantLabel, grantsOf, type AllowedRequest } from './grants';
import { unexercisedGrants } from './unexercised-grants';

export const IAM_REPORT_DIR = join(import.meta.dirname, '..', '..', 'reports', 'iam');

/** The context the IAM check deploys with: every optional integration on, so every grant is in the role. */
export const IAM_CHECK_CONTEXT = { defaultRegion: 'US', pinpointApplicationId: 'app-123', eumConfigurationSet: 'crm-events', pinpointEventStream: 'true' };

/** The template the tests' calls are checked against (function code is not bundled: roles do not depend on it). */
export function synthesizeForIamCheck(): string {
  rmSync(IAM_REPORT_DIR, { recursive: true, force: true });
  mkdirSync(IAM_REPORT_DIR, { recursive: true });
  const app = new App({ context: { ...IAM_CHECK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new SmsCrmStack(app, 'SmsCrm', { env: { account: TEST_DEPLOYMENT.account, region: TEST_DEPLOYMENT.region } });
  const path = join(IAM_REPORT_DIR, 'template.json');
  writeFileSync(path, JSON.stringify(Template.fromStack(stack).toJSON()));
  return path;
}

/**
 * After a whole run: the grants no test exercised. Each must be listed, with its reason, in
 * test/iam/unexercised-grants.ts (and the README); a listed grant that a test now exercises must leave the list.
 */
export function checkGrantCoverage(templatePath: string): string[] {
  const check = new PolicyCheck(new TemplateModel(JSON.parse(readFileSync(templatePath, 'utf8')) as CfnTemplate));
  const allowed: AllowedRequest[] = readdirSync(IAM_REPORT_DIR)
    .filter((f) => f.startsWith('allowed-'))
    .flatMap((f) => readFileSync(join(IAM_REPORT_DIR, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AllowedRequest));
  const unexercised = grantsOf(check).filter((g) => !allowed.some((r) => exercises(r, g)));
  const justified = (label: string) => unexercisedGrants.find((j) => j.grant.test(label));
  const problems = [
    ...unexercised.filter((g) => !justified(grantLabel(g))).map((g) => `not exercised by any test and not justified: ${grantLabel(g)}`),
    ...unexercisedGrants.filter((j) => !j.sometimes && !unexercised.some((g) => j.grant.test(grantLabel(g)))).map((j) => `justified as unexercised but no unexercised grant matches any more (remove it): ${j.grant}`),
  ];
  writeFileSync(
    join(IAM_REPORT_DIR, 'grants.md'),
    ['# Grants no test exercised', '', ...unexercised.map((g) => `- ${grantLabel(g)}: ${justified(grantLabel(g))?.why ?? 'NOT JUSTIFIED'}`), ''].join('\n'),
  );
  return problems;
}
