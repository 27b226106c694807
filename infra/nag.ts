import { createRequire } from 'node:module';
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type * as CdkNag from 'cdk-nag';

// cdk-nag is CommonJS with lazily-defined exports that Node's ESM loader cannot see by name.
const cdkNag = createRequire(import.meta.url)('cdk-nag') as typeof CdkNag;

export const { AwsSolutionsChecks } = cdkNag;

/** Acknowledges a cdk-nag finding on a construct; every acknowledgement carries its reason. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
