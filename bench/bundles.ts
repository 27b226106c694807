import { build } from 'esbuild';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { esbuildOptionsFor } from '../infra/constructs/lambda-function';

export interface BundleFigures {
  fn: string;
  bytes: number;
  initMs: number;
}

const OUT = 'bench/.bundles';

/**
 * Bundles every function with the options CDK uses (esbuild, ESM, minified, the AWS SDK bundled in) and
 * times its module initialisation in a fresh Node process (median of 5).
 */
export async function benchBundles(): Promise<BundleFigures[]> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const figures: BundleFigures[] = [];
  for (const fn of readdirSync('functions').sort()) {
    const outfile = join(OUT, `${fn}.mjs`);
    await build({ ...esbuildOptionsFor(fn), outfile });
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const run = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(join(process.cwd(), outfile))}); console.log(performance.now() - t);`],
        { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1', TABLE_NAME: 'bench', POWERTOOLS_LOG_LEVEL: 'ERROR', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
      );
      if (run.status !== 0) throw new Error(`${fn} failed to initialise: ${run.stderr}`);
      samples.push(Number(run.stdout.trim()));
    }
    samples.sort((a, b) => a - b);
    figures.push({ fn, bytes: statSync(outfile).size, initMs: Math.round(samples[2]! * 10) / 10 });
  }
  return figures;
}
