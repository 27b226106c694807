import { build, stop, type Metafile } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { esbuildOptionsFor } from '../infra/constructs/lambda-function';
import { median } from './stats';

export interface BundleFigures {
  fn: string;
  /** Unpinned: wherever the scheduler put the process (swings with the shared host's contention). */
  unpinnedInitMs: number;
  /** Every chunk together (the budget). */
  bytes: number;
  /** What a cold start reads and compiles: the entry and the chunks it imports statically. */
  eagerBytes: number;
  /** The same, per package (or folder of ours), in bytes. */
  eagerBytesByPackage: Record<string, number>;
  initMs: number;
}

export const BUNDLES_DIR = 'bench/.bundles';
const SAMPLES = 7;
/** The environment of every fresh Node process a cold-start figure is measured in. */
export const freshNodeEnv = { ...process.env, AWS_REGION: 'us-east-1', TABLE_NAME: 'bench', LOG_LEVEL: 'ERROR', METRICS_DISABLED: 'true', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

const packageOf = (input: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');

/** The entry's output and every chunk it imports statically (dynamic imports load later, if ever). */
export function eagerOutputs(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[file]!.imports) if (imported.kind === 'import-statement' && metafile.outputs[imported.path]) visit(imported.path);
  };
  visit(entry);
  return [...seen];
}

/** Output bytes per package (or folder of ours) that the given outputs hold. */
function bytesByPackage(outputs: Metafile['outputs'][string][]): Record<string, number> {
  const bytes: Record<string, number> = {};
  for (const output of outputs) for (const [input, v] of Object.entries(output.inputs)) bytes[packageOf(input)] = (bytes[packageOf(input)] ?? 0) + v.bytesInOutput;
  return bytes;
}

/** Builds one function as CDK does (functionCode) into `outdir`, with the metafile. */
export async function buildFunction(fn: string, outdir: string, overrides: { minify?: boolean } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({ ...esbuildOptionsFor(fn), ...overrides, outdir, metafile: true });
  const entry = Object.keys(result.metafile.outputs).find((f) => f.endsWith('/index.mjs'))!;
  const code = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.mjs'));
  const eager = eagerOutputs(result.metafile, entry);
  return {
    metafile: result.metafile,
    entry,
    bytes: code.reduce((sum, f) => sum + result.metafile.outputs[f]!.bytes, 0),
    eager,
    eagerBytes: eager.reduce((sum, f) => sum + result.metafile.outputs[f]!.bytes, 0),
    eagerBytesByPackage: bytesByPackage(eager.map((f) => result.metafile.outputs[f]!)),
  };
}

/** The CPUs a measured process can be pinned to (none without `taskset`); looked up on first use only. */
let pinnableCpus: number[] | undefined;
const cpusToPin = () => (pinnableCpus ??= spawnSync('taskset', ['--version']).status === 0 ? cpus().map((_, cpu) => cpu) : []);

/** Module initialisation of a built function in one fresh Node process (ms), optionally pinned to one CPU. */
function initOnce(entry: string, extraArgs: string[] = [], cpu?: number): number {
  const node = [process.execPath, ...extraArgs, '--input-type=module', '-e', `const t = performance.now(); await import(${JSON.stringify(join(process.cwd(), entry))}); console.log(performance.now() - t);`];
  const run = cpu === undefined ? spawnSync(node[0]!, node.slice(1), { encoding: 'utf8', env: freshNodeEnv }) : spawnSync('taskset', ['-c', String(cpu), ...node], { encoding: 'utf8', env: freshNodeEnv });
  if (run.status !== 0) throw new Error(`${entry} failed to initialise: ${run.stderr}`);
  return Number(run.stdout.trim());
}

/**
 * One sample: the function loaded once on each CPU, the faster kept. On this shared VM one vCPU at a time
 * loads modules ~50% slower (host contention, visible as the same bundle swinging between ~75 and ~130 ms
 * unpinned); the uncontended CPU measures our code, not the neighbours. Unpinned figures are kept beside.
 */
function initSample(entry: string, extraArgs: string[] = []): number {
  const pinnable = cpusToPin();
  if (pinnable.length < 2) return initOnce(entry, extraArgs);
  return Math.min(...pinnable.map((cpu) => initOnce(entry, extraArgs, cpu)));
}

/** Module initialisation of a built function in a fresh Node process: median of 7 samples. */
export function timeInit(entry: string, extraArgs: string[] = []): number {
  return median(Array.from({ length: SAMPLES }, () => initSample(entry, extraArgs)));
}

/** Bundles every function with the options CDK uses and times its module initialisation. */
export async function benchBundles(): Promise<BundleFigures[]> {
  mkdirSync(BUNDLES_DIR, { recursive: true });
  const built = [];
  for (const fn of readdirSync('functions').sort()) built.push({ fn, ...(await buildFunction(fn, join(BUNDLES_DIR, fn))) });
  // Timed only once esbuild's service is gone: nothing else runs beside the measured process.
  await stop();
  // Rounds over every function, so a noisy moment of a shared machine spreads over all of them.
  const samples = built.map(() => ({ best: [] as number[], unpinned: [] as number[] }));
  for (let round = 0; round < SAMPLES; round++) {
    built.forEach((b, i) => {
      samples[i]!.best.push(initSample(b.entry));
      samples[i]!.unpinned.push(initOnce(b.entry));
    });
  }
  return built.map((b, i) => ({ fn: b.fn, bytes: b.bytes, eagerBytes: b.eagerBytes, eagerBytesByPackage: b.eagerBytesByPackage, initMs: median(samples[i]!.best), unpinnedInitMs: median(samples[i]!.unpinned) }));
}

/**
 * Which imports cost what in one function's cold start: the function built unminified (module
 * boundaries stay visible), loaded under the CPU profiler (median of 5 profiles); each sample's time goes
 * to the package whose code was running, compiling and linking the chunks to "(compile)", Node's own
 * modules to "(node built-ins)". Eager KB are the minified bytes each package puts in the eager chunks
 * (`eagerBytesByPackage` of the function's figures).
 */
export async function initBreakdown(figures: BundleFigures): Promise<{ part: string; ms: number; eagerKb: number }[]> {
  const { fn } = figures;
  const dir = join(tmpdir(), `init-breakdown-${fn}`);
  const plain = await buildFunction(fn, dir, { minify: false });
  const boundaries = new Map<string, [number, string][]>();
  for (const file of plain.eager) {
    const marks: [number, string][] = [];
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const m = /^\/\/ (node_modules\/(?:@[^/]+\/)?[^/]+|[a-z]+\/[^/\s]+)/.exec(line);
      if (m) marks.push([i, m[1]!.replace('node_modules/', '')]);
    });
    boundaries.set(file.split('/').pop()!, marks);
  }
  const partAt = (file: string, line: number) => {
    const marks = boundaries.get(file) ?? [];
    let part = '(bundle prelude)';
    for (const [at, name] of marks) if (at <= line) part = name;
    return part;
  };
  const runs: Map<string, number>[] = [];
  for (let i = 0; i < 5; i++) {
    const profileDir = join(dir, `profile-${i}`);
    // The import's start and end on the profiler's clock (both are the monotonic clock, in µs): Node's own start-up is not the function's.
    const script = `const a = process.hrtime.bigint() / 1000n; await import(${JSON.stringify(join(dir, 'index.mjs'))}); const b = process.hrtime.bigint() / 1000n; console.log(a + ' ' + b);`;
    const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-interval=100', '--input-type=module', '-e', script], { encoding: 'utf8', env: freshNodeEnv });
    if (run.status !== 0) throw new Error(`${fn} failed under the profiler: ${run.stderr}`);
    const [from, to] = run.stdout.trim().split(' ').map(Number) as [number, number];
    const profile = JSON.parse(readFileSync(join(profileDir, readdirSync(profileDir)[0]!), 'utf8')) as { startTime: number; nodes: { id: number; callFrame: { url: string; functionName: string; lineNumber: number } }[]; samples: number[]; timeDeltas: number[] };
    const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const parts = new Map<string, number>();
    let at = profile.startTime;
    profile.samples.forEach((id, k) => {
      at += profile.timeDeltas[k] ?? 0;
      if (at < from || at > to) return;
      const frame = nodes.get(id)!;
      const file = frame.url.split('/').pop() ?? '';
      const part = boundaries.has(file)
        ? partAt(file, frame.lineNumber)
        : /esm\/(utils|module_job|loader|translators)|compileSourceTextModule/.test(frame.url + frame.functionName)
          ? '(compile and link)'
          : /^(\(garbage collector\)|\(program\)|\(idle\))$/.test(frame.functionName)
            ? frame.functionName
            : frame.url.startsWith('node:') || frame.url === ''
              ? '(node built-ins)'
              : '(other)';
      parts.set(part, (parts.get(part) ?? 0) + (profile.timeDeltas[k] ?? 0) / 1000);
    });
    runs.push(parts);
  }
  const names = new Set(runs.flatMap((r) => [...r.keys()]));
  return [...names]
    .map((part) => ({ part, ms: median(runs.map((r) => r.get(part) ?? 0)), eagerKb: Math.round((figures.eagerBytesByPackage[part] ?? 0) / 102.4) / 10 }))
    .filter((p) => p.ms >= 0.5 || p.eagerKb >= 5)
    .sort((a, b) => b.ms - a.ms);
}
