import { createRequire } from 'node:module';
import { Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type * as CdkNag from 'cdk-nag';

// cdk-nag is CommonJS with lazily-defined exports that Node's ESM loader cannot see by name.
const cdkNag = createRequire(import.meta.url)('cdk-nag') as typeof CdkNag;

export const { AwsSolutionsChecks } = cdkNag;

/** Acknowledges a cdk-nag finding on a construct; every acknowledgement carries its reason. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * How cdk-nag spells the stack's region and account inside a finding: `<AWS::Region>` while unresolved, the
 * value itself when the environment is known (`cdk synth` with credentials sets CDK_DEFAULT_ACCOUNT/REGION).
 */
export function nagEnvironment(scope: IConstruct): { region: string; account: string } {
  const stack = Stack.of(scope);
  return {
    region: Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region,
    account: Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account,
  };
}
