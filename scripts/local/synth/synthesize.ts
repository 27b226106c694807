import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Context of the local deployment: what a CRM team sets before deploying (README, Deploy). A configuration
 * set makes End User Messaging report deliveries, so the local stand-in reports only when one is named.
 */
export const LOCAL_DEPLOYMENT_CONTEXT = { eumConfigurationSet: 'sms-crm-local' };

/** `cdk synth` as a user runs it (the CLI, cdk.json's app, cdk-nag on), into `outDir`. */
export function synthesize(outDir: string, context: Record<string, string> = LOCAL_DEPLOYMENT_CONTEXT, env: Record<string, string> = {}): Promise<void> {
  const args = ['cdk', 'synth', '--quiet', '--output', outDir, ...Object.entries(context).flatMap(([k, v]) => ['--context', `${k}=${v}`])];
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['--no-install', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true', ...env } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`cdk synth failed (exit ${code}):\n${output.slice(-4000)}`))));
  });
}
