// The `noisynn` command: one entry, one subcommand per file.
import { UsageError } from './args';
import { clusterCommand } from './cluster';
import { datasetsCommand } from './datasets';
import { doctorCommand } from './doctor';
import { evalCommand } from './eval';
import { exportCommand } from './export';
import { printJson } from './output';
import { runsCommand } from './runs';
import { serveCommand } from './serve';
import { studyCommand } from './study';
import { sweepCommand } from './sweep';
import { syncCommand } from './sync';
import { resumeCommand, trainCommand } from './train';
import { weightsCommand } from './weights';

const HELP = `noisynn: NoisyNN Workbench from the command line

  noisynn train [--preset mnist-vit|mnist-cnn|...] [--config file.json] [--epochs N] [--noise TYPE ...] [--json]
  noisynn eval RUN [--protocol sorted|shuffled|single|standard|all] [--epoch N] [--json]
  noisynn eval --weights NAME [--dataset D] [--protocol ...] [--json]   # imported weights, no training
  noisynn resume RUN [--restart]
  noisynn runs list|show RUN|compare RUN RUN...|tag RUN TAG|note RUN TEXT|cancel RUN
  noisynn export RUN --format csv|json [--out FILE]
  noisynn export RUN --format safetensors [--epoch N] [--out DIR]   # timm/torchvision names, PyTorch layouts
  noisynn export RUN --format bundle [--out DIR]                    # a run bundle; import it elsewhere with noisynn sync
  noisynn weights import PATH [--name NAME] [--model PRESET] | list | show NAME | delete NAME
  noisynn datasets add PATH [--name N] [--replace] | list | show NAME | remove NAME [--force]
  noisynn doctor
  noisynn study reproduce [--quick] [--concurrency N] [--out DIR]   # the small-scale reproduction study
  noisynn study reproduce [--quick] --slurm --bundle-dir DIR [...]  # the study as a Slurm job array
  noisynn sweep submit --name N [train flags] --grid PATH=V1,V2 ... [--slurm --bundle-dir DIR [--cluster NAME] ...] [--dry-run]
  noisynn sync DIR...                      # import run bundles (Slurm tasks, other workstations) into the store
  noisynn cluster add NAME [--project-dir DIR --node PATH --backend B --module M --partition P ...] | list | remove NAME
  noisynn serve [--port N]                 # browser mode: the app over 127.0.0.1 with a token

Every command takes --data-dir DIR (else $NOISYNN_HOME, else the OS app-data folder) and --json
(the last line of stdout is then one JSON object). 'noisynn train --help' lists every config flag.`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  train: trainCommand,
  eval: evalCommand,
  resume: resumeCommand,
  runs: runsCommand,
  export: exportCommand,
  datasets: datasetsCommand,
  serve: serveCommand,
  doctor: doctorCommand,
  study: studyCommand,
  weights: weightsCommand,
  sweep: sweepCommand,
  sync: syncCommand,
  cluster: clusterCommand,
};

async function trainHelp(): Promise<void> {
  const { CONFIG_FLAGS } = await import('./config-flags');
  const { RUN_PRESETS, MODEL_PRESETS } = await import('../engine/config');
  console.log('noisynn train: every config field is a flag (later ones override earlier sources)');
  console.log(`  --preset NAME     run presets: ${Object.keys(RUN_PRESETS).join(', ')}; or a model preset: ${Object.keys(MODEL_PRESETS).join(', ')}`);
  console.log('  --model NAME      replace the model by a model preset');
  console.log('  --config FILE     JSON config merged over the preset');
  console.log('  --set PATH=VALUE  any config field by its dotted path (repeatable)');
  console.log('  --backend NAME    tensorflow-gpu | webgpu | tensorflow | wasm | cpu (default: fastest available)');
  console.log('  --dry-run         print the resolved config and exit');
  for (const [flag, f] of Object.entries(CONFIG_FLAGS)) console.log(`  --${flag.padEnd(18)} ${f.help} [${f.path}]`);
}

// `noisynn ... | head`: when the reader has gone, stop quietly as other command-line tools do.
function quietOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(0);
  });
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const [cmd, ...rest] = argv;
  const json = rest.includes('--json');
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log(HELP);
    return 0;
  }
  if (cmd === 'train' && (rest.includes('--help') || rest.includes('-h'))) {
    await trainHelp();
    return 0;
  }
  const run = COMMANDS[cmd];
  try {
    if (!run) throw new UsageError(`unknown command '${cmd}'\n\n${HELP}`);
    return await run(rest);
  } catch (e) {
    const err = e as Error;
    console.error(`noisynn ${cmd}: ${err.message}`);
    if (process.env.NOISYNN_DEBUG) console.error(err.stack);
    if (json) printJson({ error: err.message });
    return err instanceof UsageError ? 2 : 1;
  }
}
