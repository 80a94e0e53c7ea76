// A node:test reporter that records every skipped test with its reason in the file named by
// NOISYNN_SKIP_LOG (one JSON line each), so test/run.mjs can print them and refuse unexpected skips.
import { appendFileSync } from 'node:fs';

export default async function* skipReporter(source) {
  for await (const e of source) {
    if (e.type === 'test:pass' && e.data.skip !== undefined && process.env.NOISYNN_SKIP_LOG) {
      appendFileSync(
        process.env.NOISYNN_SKIP_LOG,
        `${JSON.stringify({ name: e.data.name, file: e.data.file ?? '', reason: e.data.skip === true ? '(no reason given)' : String(e.data.skip) })}\n`,
      );
    }
  }
  yield '';
}
