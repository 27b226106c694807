import { beforeAll, describe, expect, it } from 'vitest';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { SellerConsole } from '../../infra/constructs/seller-console';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from '../../infra/nag';
import { SmsCrmStack } from '../../infra/stack';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { synthesize } from '../../scripts/local/synth/synthesize';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Context console=true: the seller console on S3 + CloudFront, wired to the API and the hosted UI. */
let app: App;
let template: Template;

// A stand-in build: the browser tests build the real one, and two builds must not share web/dist.
const assets = mkdtempSync(join(tmpdir(), 'console-build-'));
writeFileSync(join(assets, 'index.html'), '<!doctype html><title>console</title>');
const context = { defaultRegion: 'US', console: 'true', consoleAssets: assets };

beforeAll(() => {
  app = new App({ context });
  template = Template.fromStack(new SmsCrmStack(app, 'WithConsole'));
}, 120_000);

describe('the seller console stack', () => {
  it('serves a private bucket only through CloudFront with origin access control, HTTPS only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', { PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true } });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue() })],
      }),
    });
    // The bucket policy lets only this distribution's CloudFront service principal read.
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')).flatMap((p) => p.Properties.PolicyDocument.Statement as { Principal?: { Service?: string }; Action: string | string[] }[]);
    expect(policies.some((s) => s.Principal?.Service === 'cloudfront.amazonaws.com' && [s.Action].flat().includes('s3:GetObject'))).toBe(true);
  });

  it('adds security headers to every answer', () => {
    const policy = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0]!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(policy.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(policy.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31_536_000);
    expect(policy.FrameOptions.FrameOption).toBe('DENY');
    expect(policy.ContentTypeOptions.Override).toBe(true);
  });

  it('writes config.json with the API URL and the hosted UI, and lets the console origin call the API and sign in', () => {
    // config.json is a JSON source whose deploy-time values (the tokens) are markers resolved by the deployment.
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0]!.Properties;
    const markers = JSON.stringify(deployment.SourceMarkers);
    for (const value of ['"Ref":"Api', '"Ref":"SellersHostedUi', '"Ref":"SellersClient', '"ConsoleCdn']) expect(markers).toContain(value);
    expect(deployment.DistributionId).toBeDefined();
    const api = Object.values(template.findResources('AWS::ApiGatewayV2::Api'))[0]!.Properties;
    expect(JSON.stringify(api.CorsConfiguration.AllowOrigins)).toContain('DomainName');
    const client = Object.values(template.findResources('AWS::Cognito::UserPoolClient'))[0]!.Properties;
    expect(JSON.stringify(client.CallbackURLs)).toContain('DomainName');
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });

  it('index.html carries a second CSP naming exactly this API, this live channel, this sign-in domain and this media bucket (the header can only name patterns)', () => {
    const deployment = Object.values(template.findResources('Custom::CDKBucketDeployment'))[0]!.Properties;
    expect(deployment.SourceObjectKeys).toHaveLength(3);
    const markers = JSON.stringify(deployment.SourceMarkers);
    expect(markers).toContain('RegionalDomainName');
    expect(markers).toContain('"Ref":"Api');
    expect(markers).toContain('"Ref":"LiveApi');
    expect(markers).toContain('"Ref":"SellersHostedUi');
  });

  it('is clean under cdk-nag', () => {
    const nagged = new App({ context });
    new SmsCrmStack(nagged, 'NaggedConsole');
    Validations.of(nagged).addPlugins(new AwsSolutionsChecks(nagged));
    expect(() => nagged.synth()).not.toThrow();
  }, 120_000);

  it('the documented deploy, `npm run build:web && cdk synth -c console=true`, synthesizes with no cdk-nag error and no localhost', async () => {
    // The real console build (into its own folder: the browser tests build web/dist), then the CLI as a user runs it.
    const build = mkdtempSync(join(tmpdir(), 'console-real-build-'));
    const vite = spawnSync('npx', ['--no-install', 'vite', 'build', '--config', 'web/vite.config.ts', '--outDir', build, '--emptyOutDir', '--logLevel', 'warn'], { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
    expect(vite.status, vite.stderr).toBe(0);
    const out = mkdtempSync(join(tmpdir(), 'console-cdk-out-'));
    // As a user with AWS credentials runs it: the CLI then knows the account and region (findings name them).
    await synthesize(out, { console: 'true', consoleAssets: build }, { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' });
    const synthesized = readFileSync(join(out, 'SmsCrm.template.json'), 'utf8');
    expect(synthesized).not.toMatch(/localhost|127\.0\.0\.1/);
    expect(synthesized).toContain('Custom::CDKBucketDeployment');
    rmSync(build, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  }, 180_000);

  it('refuses to synthesize without a build, saying how to make one', () => {
    const stack = new Stack(new App({ context: { consoleAssets: join(assets, 'missing') } }), 'Unbuilt');
    expect(() => new SellerConsole(stack, 'Console').deploy({ apiUrl: 'https://api.example/', liveUrl: 'wss://live.example/live', auth: { kind: 'cognito', domain: 'https://x.auth.us-east-1.amazoncognito.com', clientId: 'c', redirectUri: 'https://d.example/' }, quietHours: '21:00-08:00' }, 'https://media.example')).toThrow(/npm run build:web/);
  });
});
