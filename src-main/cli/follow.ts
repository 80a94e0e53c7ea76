// Runs a job in a trainer process and shows it: progress bar, epoch lines, Ctrl-C to cancel.
import { launch, type WorkerExit } from '../runner/launch';
import type { RunJob } from '../runner/messages';
import { pct } from './output';
import { Progress } from './progress';

export interface Followed extends WorkerExit {
  backend?: string;
}

export async function follow(job: RunJob, o: { quiet?: boolean; backend?: string } = {}): Promise<Followed> {
  const progress = new Progress(o.quiet);
  let backend: string | undefined;
  let total = 0;
  let offset = 0;
  let perStep = 1;
  const env = o.backend ? { ...process.env, NOISYNN_BACKEND: o.backend } : process.env;
  const running = launch(
    job,
    (m) => {
      switch (m.type) {
        case 'backend':
          backend = m.backend.name;
          progress.line(`backend: ${m.backend.name} (${m.backend.reason})`);
          break;
        case 'start':
          total = m.start.totalSteps;
          offset = m.start.startStep;
          perStep = m.start.trainImages / m.start.stepsPerEpoch;
          progress.line(
            `run ${job.runId}: ${m.start.parameters.toLocaleString('en-US')} parameters, ${m.start.trainImages} training images, ${m.start.stepsPerEpoch} steps/epoch, ${m.start.replicas} replica${m.start.replicas === 1 ? '' : 's'}${offset ? `, resuming at step ${offset}` : ''}`,
          );
          break;
        case 'step': {
          const s = m.step;
          progress.update(s.step, total, s.imagesPerSecond, perStep, `loss ${s.loss.toFixed(4)} lr ${s.lr.toExponential(2)}`);
          break;
        }
        case 'epoch': {
          const e = m.epoch;
          progress.line(
            `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)} acc ${pct(e.trainAcc)} | test top-1 ${pct(e.test.top1)} top-5 ${pct(e.test.top5)} loss ${e.test.loss.toFixed(4)} | ${e.imagesPerSecond.toFixed(0)} img/s, ${e.seconds.toFixed(1)} s`,
          );
          break;
        }
        case 'eval':
          progress.line(
            `eval ${m.result.protocol}${m.result.noiseActive ? '' : ' (noise off)'} batch ${m.result.batchSize}: top-1 ${pct(m.result.top1)} top-5 ${pct(m.result.top5)} loss ${m.result.loss.toFixed(4)} (n=${m.result.n})`,
          );
          break;
        case 'eval-progress':
          break;
        case 'done':
          if (m.error) progress.line(`run ${m.runId} ${m.status}: ${m.error}`);
          break;
      }
    },
    env,
  );
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts === 1) {
      progress.line('cancelling after the current step (Ctrl-C again to kill)');
      running.cancel();
    } else running.kill('SIGKILL');
  };
  process.on('SIGINT', onSigint);
  try {
    const exit = await running.done;
    return { ...exit, backend };
  } finally {
    process.off('SIGINT', onSigint);
  }
}
