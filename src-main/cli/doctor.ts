// `noisynn doctor`: what this machine can run, which backend is chosen, and why a faster one is not.
import { initBackend, probeBackends } from '../engine/backend';
import { existsSync } from 'node:fs';
import { dbPath, openStore, resolveDataDir } from '../store';
import { packageVersions, gitCommit } from '../runner/provenance';
import { parseArgs } from './args';
import { printJson, printTable } from './output';

export async function doctorCommand(argv: string[]): Promise<number> {
  const a = parseArgs(argv, { booleans: ['json'], values: ['data-dir', 'backend'] });
  const candidates = await probeBackends();
  const chosen = await initBackend((a.flags.backend as never) ?? 'auto');
  const dataDir = resolveDataDir(a.flags['data-dir'] as string | undefined);
  // Read-only, and a damaged or unreadable store is reported, not thrown: doctor is where one looks then.
  const file = dbPath(dataDir);
  let storeInfo: Record<string, unknown> = { path: file, integrity: 'no store yet', runs: 0 };
  if (existsSync(file)) {
    try {
      const store = openStore(dataDir, { readOnly: true });
      try {
        storeInfo = { path: store.path, schemaVersion: store.schemaVersion(), integrity: store.integrityCheck(), runs: store.listRuns().length };
      } finally {
        store.close();
      }
    } catch (e) {
      storeInfo = { path: file, integrity: `not ok: ${(e as Error).message}` };
    }
  }
  const report = { backend: chosen, candidates, versions: packageVersions(), gitCommit: gitCommit(), platform: `${process.platform} ${process.arch}`, dataDir, store: storeInfo };
  if (a.flags.json) {
    printJson(report);
    return 0;
  }
  console.log('backends, fastest first:');
  printTable(candidates.map((c) => ({ backend: c.name, package: c.package, available: c.available ? 'yes' : 'no', why: c.why })));
  console.log(`\nchosen: ${chosen.name}: ${chosen.reason}`);
  if (chosen.simd !== undefined) console.log(`wasm SIMD: ${chosen.simd ? 'on' : 'off'}, threads: ${chosen.threads ? 'on' : 'off'}, FMA: ${chosen.fma ? 'on' : 'off'}`);
  console.log('\nversions:');
  printTable(Object.entries(report.versions).map(([p, v]) => ({ package: p, version: v })));
  console.log(`\nworkbench commit: ${report.gitCommit ?? 'unknown'}`);
  console.log(`data dir: ${dataDir}`);
  console.log(`store: ${storeInfo.path} (schema ${storeInfo.schemaVersion}, integrity ${storeInfo.integrity}, ${storeInfo.runs} runs)`);
  return 0;
}
