import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument, SynthesizedFunction, TemplateModel } from '../../scripts/local/synthesized-template';
import type { IamRequest } from './requests';

export interface Verdict {
  allowed: boolean;
  /** Why not, in IAM's words, with the grant that would allow it. */
  explanation?: string;
}

/**
 * Evaluates requests as IAM would in the deployed account: the function's synthesized role (identity
 * policies) and the resource's own policy (topic, key, queue, bucket), with @cloud-copilot/iam-simulate.
 */
export class PolicyCheck {
  private readonly functions: Map<string, SynthesizedFunction>;
  private readonly identity = new Map<string, { name: string; policy: PolicyDocument }[]>();
  private readonly resourcePolicies: Map<string, PolicyDocument>;
  private readonly cache = new Map<string, Promise<Verdict>>();

  constructor(readonly model: TemplateModel) {
    this.functions = model.functions();
    this.resourcePolicies = model.resourcePolicies();
    for (const fn of this.functions.values()) this.identity.set(fn.name, model.rolePolicies(fn.roleLogicalId).map((p) => ({ name: p.name, policy: p.document })));
  }

  fn(name: string): SynthesizedFunction {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`the synthesized template has no function ${name}`);
    return fn;
  }

  functionNames(): string[] {
    return [...this.functions.keys()];
  }

  identityPolicies(name: string): { name: string; policy: PolicyDocument }[] {
    return this.identity.get(name) ?? [];
  }

  resourcePolicyOf(resource: string): PolicyDocument | undefined {
    if (this.resourcePolicies.has(resource)) return this.resourcePolicies.get(resource);
    // An S3 object is governed by its bucket's policy.
    const s3 = /^(arn:[\w-]+:s3:::[^/]+)\//.exec(resource);
    return s3 ? this.resourcePolicies.get(s3[1]!) : undefined;
  }

  /** A function's request, with its role as the principal. */
  check(request: IamRequest): Promise<Verdict> {
    const fn = this.fn(request.fn);
    return this.evaluate(fn.roleArn, this.identityPolicies(fn.name), request.action, request.resource, request.context);
  }

  /** A request by an AWS service principal (CloudWatch, SNS, End User Messaging), governed by the resource policy alone. */
  checkService(service: string, action: string, resource: string, context: Record<string, string | string[]>): Promise<Verdict> {
    return this.evaluate(service, [], action, resource, { 'aws:SecureTransport': 'true', ...context });
  }

  private evaluate(principal: string, identityPolicies: { name: string; policy: PolicyDocument }[], action: string, resource: string, context: Record<string, string | string[]>): Promise<Verdict> {
    const key = JSON.stringify([principal, action, resource, context]);
    let verdict = this.cache.get(key);
    if (!verdict) {
      verdict = this.simulate(principal, identityPolicies, action, resource, context);
      this.cache.set(key, verdict);
    }
    return verdict;
  }

  private async simulate(principal: string, identityPolicies: { name: string; policy: PolicyDocument }[], action: string, resource: string, context: Record<string, string | string[]>): Promise<Verdict> {
    const resourcePolicy = this.resourcePolicyOf(resource);
    const simulation = {
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: { action, principal, resource: { accountId: this.model.deployment.account, resource }, contextVariables: context },
    } as unknown as Simulation;
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') return { allowed: false, explanation: `the simulation refused the request: ${JSON.stringify(result.errors)}` };
    if (result.overallResult === 'Allowed') return { allowed: true };
    const where = resourcePolicy ? ' (identity policies and the resource policy)' : ' (identity policies; the resource has no policy of its own)';
    return { allowed: false, explanation: `${result.overallResult}${where}` };
  }
}

/** The statement that would allow a denied request, for the failure message. */
export function suggestedStatement(request: IamRequest): string {
  const leading = request.context['dynamodb:LeadingKeys'];
  const condition = Array.isArray(leading) ? `, Condition: {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [${[...new Set(leading.map((k) => `"${k.split('#')[0]}#*"`))].join(', ')}]}}` : '';
  return `{Effect: "Allow", Action: "${request.action}", Resource: "${request.resource}"${condition}}`;
}
