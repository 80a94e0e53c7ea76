// `noisynn doctor`: what this machine can run, which backend is chosen, and why a faster one is not;
// the GPU adapter WebGPU found; and which native addons load in this runtime.
import { existsSync } from 'node:fs';
import { initBackend, probeBackends, TFJS_NODE_GPU_NEEDS } from '../engine/backend';
import { describeAdapter } from '../engine/webgpu';
import { dbPath, openStore, resolveDataDir } from '../store';
import { describeAbi, probeNativeAddons, runtimeAbi } from '../runner/native-addons';
import { packageVersions, gitCommit } from '../runner/provenance';
import type { ParsedArgs } from './args';
import { printJson, printTable } from './output';

export async function doctorCommand(a: ParsedArgs): Promise<number> {
  const candidates = await probeBackends();
  const chosen = await initBackend((a.flags.backend as never) ?? 'auto');
  const nativeAddons = probeNativeAddons();
  const runtime = runtimeAbi();
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  // Read-only, and a damaged or unreadable store is reported, not thrown: doctor is where one looks then.
  const file = dbPath(dataDir);
  let storeInfo: Record<string, unknown> = { path: file, integrity: 'no store yet', runs: 0 };
  if (existsSync(file)) {
    try {
      const store = openStore(dataDir, { readOnly: true });
      try {
        storeInfo = {
          path: store.path,
          schemaVersion: store.schemaVersion(),
          integrity: store.integrityCheck(),
          runs: store.listRuns().length,
        };
      } finally {
        store.close();
      }
    } catch (e) {
      storeInfo = { path: file, integrity: `not ok: ${(e as Error).message}` };
    }
  }
  const gpu = candidates.find((c) => c.name === 'webgpu');
  const report = {
    backend: chosen,
    candidates,
    gpuAdapter: gpu?.adapter ?? null,
    nativeAddons,
    runtime,
    versions: packageVersions(),
    gitCommit: gitCommit(),
    platform: `${process.platform} ${process.arch}`,
    dataDir,
    store: storeInfo,
  };
  if (a.flags.json) {
    printJson(report);
    return 0;
  }
  console.log('backends, fastest first:');
  printTable(
    candidates.map((c) => ({
      backend: c.name,
      package: c.package,
      available: c.available ? (c.auto === false ? 'forced only' : 'yes') : 'no',
      why: c.why,
    })),
  );
  console.log(`\nchosen: ${chosen.name}: ${chosen.reason}`);
  if (chosen.simd !== undefined)
    console.log(`wasm SIMD: ${chosen.simd ? 'on' : 'off'}, threads: ${chosen.threads ? 'on' : 'off'}, FMA: ${chosen.fma ? 'on' : 'off'}`);
  console.log('\nGPU adapter (WebGPU):');
  if (gpu?.adapter) {
    const ad = gpu.adapter;
    console.log(`  ${describeAdapter(ad)}`);
    console.log(
      `  vendor ${ad.vendor || '?'}, architecture ${ad.architecture || '?'}, driver ${ad.description || '?'}: ${ad.software ? 'software (a CPU rasteriser)' : 'hardware'}`,
    );
    console.log(
      `  ${chosen.name === 'webgpu' ? 'chosen' : ad.software ? 'not chosen automatically: slower than wasm; --backend webgpu forces it' : `not chosen: ${chosen.name} comes first`}`,
    );
  } else {
    console.log(`  none: ${gpu?.why ?? 'not probed'}`);
  }
  const cuda = candidates.find((c) => c.name === 'tensorflow-gpu');
  if (cuda && !cuda.available && cuda.why !== 'package not installed') console.log(`\ntfjs-node-gpu: ${cuda.why}`);
  else if (cuda && !cuda.available) console.log(`\ntfjs-node-gpu: not installed (it needs ${TFJS_NODE_GPU_NEEDS}; webgpu needs no CUDA)`);
  console.log(`\nnative addons (${runtime.runtime}: NODE_MODULE_VERSION ${runtime.modules}, N-API ${runtime.napi ?? '?'}):`);
  printTable(
    nativeAddons.map((n) => ({
      addon: n.name,
      version: n.version ?? '',
      'built for': n.installed ? describeAbi(n.abi) : 'not installed',
      loads: n.loads === undefined ? '' : n.loads ? 'yes' : 'no',
      problem:
        n.error ?? (n.abiMatches === false ? `built for another runtime (this one needs NODE_MODULE_VERSION ${runtime.modules})` : ''),
    })),
  );
  console.log('\nversions:');
  printTable(Object.entries(report.versions).map(([p, v]) => ({ package: p, version: v })));
  console.log(`\nworkbench commit: ${report.gitCommit ?? 'unknown'}`);
  console.log(`data dir: ${dataDir}`);
  console.log(`store: ${storeInfo.path} (schema ${storeInfo.schemaVersion}, integrity ${storeInfo.integrity}, ${storeInfo.runs} runs)`);
  return 0;
}
