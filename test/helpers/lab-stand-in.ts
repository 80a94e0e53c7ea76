// A stand-in for api/services/lab-thread.ts: answers with its thread id and the request's seed, and ends the
// thread (exit code 3) when asked for seed 666, so a test can see what NoiseLab does when its thread dies.
import { parentPort, threadId } from 'node:worker_threads';
import type { LabReply, LabRequest } from '../../src-main/api/services/lab';

parentPort!.on('message', (m: LabRequest) => {
  if (m.req.seed === 666) process.exit(3);
  parentPort!.postMessage({ id: m.id, ok: true, res: { threadId, seed: m.req.seed } } satisfies LabReply);
});
