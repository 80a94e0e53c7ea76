// `noisynn train --bundle DIR`: one cluster task. Trains the bundle's run in this process (Slurm already
// gave it its own allocation), writing through the bundle recorder. A restarted task (Slurm requeue,
// preemption, node failure) finds the bundle's last checkpoint and resumes from it bit-for-bit.
import { initBackend, type BackendName } from '../engine/backend';
import { trainRecorded } from '../runner/jobs';
import { bundleRecorder } from './bundle-recorder';

const HEARTBEAT_MS = 10_000;

export async function trainIntoBundle(dir: string, o: { backend?: string; log?: (line: string) => void } = {}): Promise<number> {
  const log = o.log ?? ((line: string) => console.log(line));
  const rec = bundleRecorder(dir);
  let stop = false;
  // Slurm stops a task with SIGTERM (scancel, requeue, preemption, time limit); the step in flight ends, the
  // bundle goes back to 'pending' and keeps its checkpoints. Whether it runs again is Slurm's decision.
  const onTerm = () => {
    log('SIGTERM: stopping after this step');
    stop = true;
  };
  process.on('SIGTERM', onTerm);
  const beat = setInterval(() => rec.heartbeat(), HEARTBEAT_MS);
  beat.unref();
  try {
    const backend = await initBackend(o.backend as BackendName | undefined);
    const name = backend.fma ? `${backend.name}+fma` : backend.name;
    const resume = rec.lastCheckpoint() !== undefined;
    log(`run ${rec.run.uuid} ${resume ? `resumes from epoch ${rec.lastCheckpoint()!.epoch}` : 'starts'} on ${name} (${backend.reason})`);
    try {
      const done = await trainRecorded(rec, 0, resume, {
        backend: name,
        shouldStop: () => stop,
        requeueOnStop: () => stop,
        send: (m) => {
          if (m.type === 'start') rec.planned(m.start.totalSteps);
          if (m.type === 'epoch')
            log(
              `epoch ${m.epoch.epoch}: step ${m.epoch.step}, train loss ${m.epoch.trainLoss.toFixed(4)}, test top-1 ${(m.epoch.test.top1 * 100).toFixed(2)}%`,
            );
        },
      });
      log(`run ${rec.run.uuid} ${stop ? 'interrupted' : done.status}`);
      return done.status === 'completed' ? 0 : stop ? 143 : 1;
    } catch (e) {
      rec.finish('failed', { error: (e as Error).message });
      throw e;
    }
  } finally {
    clearInterval(beat);
    process.off('SIGTERM', onTerm);
    rec.close();
  }
}
