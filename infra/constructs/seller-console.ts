import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import { AllowedMethods, Distribution, HeadersFrameOption, HeadersReferrerPolicy, ResponseHeadersPolicy, SecurityPolicyProtocol, ViewerProtocolPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acknowledge, nagEnvironment } from '../nag';
import { consoleContentSecurityPolicy } from '../console-csp';

/** Where `npm run build:web` writes the console. */
export const CONSOLE_BUILD = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** What the console is told at deploy (web/src/config.ts, ConsoleConfig). */
export interface ConsoleSettings {
  apiUrl: string;
  /** The live channel's WebSocket URL (`wss://…/live`). */
  liveUrl: string;
  /** The user pool's hosted UI, or an external OpenID Connect issuer whose endpoints the console discovers. */
  auth: { kind: 'cognito'; domain: string; clientId: string; redirectUri: string } | { kind: 'oidc'; issuer: string; clientId: string; redirectUri: string };
  /** The deployment's quiet hours (context quietHours): the composer says whether a chosen time falls inside them. */
  quietHours: string;
}

/**
 * The seller console (web/): a private bucket behind CloudFront with origin access control, security
 * headers on every answer, and `config.json` written at deploy with the API URL and the sign-in settings.
 */
export class SellerConsole extends Construct {
  readonly distribution: Distribution;
  readonly bucket: Bucket;
  /** `https://<distribution>.cloudfront.net` */
  readonly url: string;

  /** `issuer`: an external OpenID Connect issuer the console signs in with (default: the user pool's hosted UI). */
  constructor(scope: Construct, id: string, props: { issuer?: string } = {}) {
    super(scope, id);
    const { region, urlSuffix } = Stack.of(this);
    this.bucket = new Bucket(this, 'Files', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });
    acknowledge(this.bucket, 'AwsSolutions-S1', 'Public build output (the console\'s HTML, JS and CSS) read only by CloudFront through origin access control; nothing private is stored.');

    // The API and the live channel (any stage of this region's execute-api), the hosted UI's token endpoint and presigned media URLs.
    const signIn = props.issuer ? new URL(props.issuer).origin : `https://*.auth.${region}.amazoncognito.com`;
    const connect = ["'self'", `https://*.execute-api.${region}.${urlSuffix}`, `wss://*.execute-api.${region}.${urlSuffix}`, signIn, `https://*.s3.${region}.${urlSuffix}`];
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Seller console security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy(connect),
          override: true,
        },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, preload: false, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    this.distribution = new Distribution(this, 'Cdn', {
      comment: 'SMS CRM seller console',
      defaultRootObject: 'index.html',
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        responseHeadersPolicy: headers,
      },
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
    acknowledge(this.distribution, 'AwsSolutions-CFR1', 'Sellers work from anywhere; no geographic restriction.');
    acknowledge(this.distribution, 'AwsSolutions-CFR2', 'Static files only; every API call is authorized by the JWT authorizer and throttled at the API stage. Attach a WAF web ACL per customer if required.');
    acknowledge(this.distribution, 'AwsSolutions-CFR3', 'Static, public build output: access logs would record nothing about customers; the API stage logs every call.');
    acknowledge(this.distribution, 'AwsSolutions-CFR4', 'With the default *.cloudfront.net certificate CloudFront ignores minimumProtocolVersion and still accepts TLSv1 (a custom certificate is needed to enforce TLSv1.2_2021, a per-customer domain choice). The console files hold no secrets; the token and every API call go to API Gateway, which requires TLS 1.2.');
  }

  /**
   * Uploads the built console (web/dist, or context consoleAssets) and its config.json; CloudFront is invalidated on each deploy.
   * `mediaOrigin`: where presigned download URLs point (the media bucket's regional host).
   */
  deploy(settings: ConsoleSettings, mediaOrigin: string): void {
    const build = (this.node.tryGetContext('consoleAssets') as string | undefined) ?? CONSOLE_BUILD;
    if (!existsSync(join(build, 'index.html'))) throw new Error(`context console=true deploys the seller console from ${build}: build it first with \`npm run build:web\`.`);
    // The response header's connect-src names hosts by pattern (the API and bucket do not exist when it is made);
    // index.html carries a second policy naming exactly this API, live channel, sign-in domain and bucket, written at
    // deploy. A browser enforces both, so the console connects to those four and nothing else.
    const exact = `connect-src 'self' ${withoutTrailingSlash(settings.apiUrl)} ${withoutTrailingSlash(settings.liveUrl)} ${settings.auth.kind === 'cognito' ? withoutTrailingSlash(settings.auth.domain) : new URL(settings.auth.issuer).origin} ${mediaOrigin}`;
    const meta = `<meta http-equiv="Content-Security-Policy" content="${exact}" />`;
    const built = readFileSync(join(build, 'index.html'), 'utf8');
    const html = /<head[^>]*>/i.test(built) ? built.replace(/<head[^>]*>/i, (head) => `${head}\n    ${meta}`) : `${meta}\n${built}`;
    new BucketDeployment(this, 'Deploy', {
      sources: [Source.asset(build, { exclude: ['**/*.map', 'index.html'] }), Source.data('index.html', html), Source.jsonData('config.json', { ...settings, maxPollMs: 15000 })],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      memoryLimit: 256,
    });
    // The deployment's handler is a stack-wide singleton made by aws-cdk-lib: its role and runtime are CDK's.
    const stack = Stack.of(this);
    const handler = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))!;
    const policy = `AwsSolutions::AwsSolutions-IAM5`;
    const nagEnv = nagEnvironment(this);
    acknowledge(handler, 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'CDK\'s BucketDeployment handler logs through the AWS managed basic execution role.');
    const bucketArn = `<${stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>`;
    for (const finding of ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', 'Action::s3:DeleteObject*', 'Action::s3:Abort*', `Resource::${bucketArn}/*`, `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${nagEnv.account}-${nagEnv.region}/*`, 'Resource::*']) {
      acknowledge(handler, `${policy}[${finding}]`, 'CDK\'s BucketDeployment handler copies the built console from the CDK asset bucket into this bucket and invalidates CloudFront (CreateInvalidation has no resource-level permission).');
    }
    acknowledge(handler, 'AwsSolutions-L1', 'The runtime of CDK\'s BucketDeployment handler is chosen by aws-cdk-lib and moves with it.');
  }
}

/** An origin from a URL that may hold unresolved tokens (string operations keep CDK's token markers intact). */
function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
