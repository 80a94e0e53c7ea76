// Every `noisynn` command as the user meets it: description, arguments, options and examples. The bodies live
// one file per command; cli/program.ts turns this list into the parser and the help.
import { MODEL_PRESETS, RUN_PRESETS } from '../engine/config';
import { clusterCommand } from './cluster';
import { configOptions } from './config-flags';
import { datasetsCommand } from './datasets';
import { doctorCommand } from './doctor';
import { evalCommand } from './eval';
import { exportCommand } from './export';
import type { CommandSpec, OptionSpec } from './program';
import { runsCommand } from './runs';
import { serveCommand } from './serve';
import { SLURM_OPTIONS } from './slurm-flags';
import { studyCommand } from './study';
import { sweepCommand } from './sweep';
import { syncCommand } from './sync';
import { resumeCommand, trainCommand } from './train';
import { weightsCommand } from './weights';

const BACKEND: OptionSpec = {
  flag: 'backend',
  value: 'NAME',
  help: 'tensorflow-gpu | webgpu | tensorflow | wasm | cpu (default: the fastest available)',
};
const QUIET: OptionSpec = { flag: 'quiet', help: 'no progress lines' };

/** Where a config comes from before its field flags: preset < --model < --config < field flags < --set. */
const CONFIG_SOURCES: OptionSpec[] = [
  {
    flag: 'preset',
    value: 'NAME',
    help: `run presets: ${Object.keys(RUN_PRESETS).join(', ')}; or a model preset: ${Object.keys(MODEL_PRESETS).join(', ')}`,
  },
  { flag: 'model', value: 'NAME', help: 'replace the model by a model preset' },
  { flag: 'config', value: 'FILE', help: 'JSON config merged over the preset' },
  {
    flag: 'set',
    value: 'PATH=VALUE',
    help: 'any config field by its dotted path (repeatable; later sources override earlier ones)',
    repeatable: true,
  },
];

const RUN = '<run>';

export const COMMANDS: CommandSpec[] = [
  {
    name: 'train',
    description: 'train a run: every config field is a flag (preset < --model < --config < field flags < --set)',
    options: [
      ...CONFIG_SOURCES,
      BACKEND,
      QUIET,
      { flag: 'dry-run', help: 'print the resolved config and exit' },
      { flag: 'bundle', value: 'DIR', help: 'train the run bundle in DIR (what a Slurm task runs)' },
      ...configOptions(),
    ],
    examples: [
      'noisynn train --preset mnist-vit --epochs 1',
      'noisynn train --preset mnist-cnn --noise linear-shift --alpha 0.3 --noise-stage 3 --noise-block 1',
      'noisynn train --init vit-small --freeze 6 --dataset cifar10 --set optimizer.lr=1e-4 --dry-run',
    ],
    run: trainCommand,
  },
  {
    name: 'eval',
    description: 'evaluate a run (protocols standard / sorted / shuffled / single / official), or imported weights without training',
    args: ['[run]'],
    options: [
      {
        flag: 'protocol',
        value: 'P',
        help: 'standard | sorted | shuffled | single | official | all, or a comma list (default: all; with --weights: standard)',
      },
      { flag: 'epoch', value: 'N', help: 'the checkpoint of epoch N (default: the last)' },
      { flag: 'clean', help: 'also evaluate without noise' },
      { flag: 'weights', value: 'NAME', help: 'evaluate imported weights (noisynn weights list) instead of a run' },
      ...CONFIG_SOURCES,
      BACKEND,
      QUIET,
      ...configOptions(),
    ],
    examples: [
      'noisynn eval 3',
      'noisynn eval 3 --protocol sorted,shuffled --test-batch-size 10,100',
      'noisynn eval --weights vit-small --dataset cifar10',
    ],
    run: evalCommand,
  },
  {
    name: 'resume',
    description: 'continue a crashed, cancelled or failed run from its last intact checkpoint',
    args: [RUN],
    options: [{ flag: 'restart', help: 'start it again from the beginning instead' }, BACKEND, QUIET],
    examples: ['noisynn resume 3', 'noisynn resume 3 --restart'],
    run: resumeCommand,
  },
  {
    name: 'runs',
    description: 'list, show, compare, tag, annotate and cancel runs',
    run: runsCommand,
    subcommands: [
      {
        name: 'list',
        isDefault: true,
        description: 'the runs, newest first',
        options: [
          { flag: 'status', value: 'S[,S...]', help: 'only runs with these statuses' },
          { flag: 'tag', value: 'TAG', help: 'only runs with this tag' },
          { flag: 'search', value: 'TEXT', help: 'only runs whose name, config or tags contain TEXT' },
          { flag: 'limit', value: 'N', help: 'at most N runs' },
        ],
        examples: ['noisynn runs list --status completed --limit 10', 'noisynn runs --json'],
      },
      {
        name: 'show',
        description: 'one run: config, evaluations, checkpoints, metrics, notes',
        args: [RUN],
        examples: ['noisynn runs show 3'],
      },
      {
        name: 'compare',
        description: 'the params that differ between runs, and their results',
        args: ['<runs...>'],
        examples: ['noisynn runs compare 3 4 5'],
      },
      { name: 'tag', description: 'add tags to a run', args: [RUN, '<tags...>'], examples: ['noisynn runs tag 3 baseline'] },
      { name: 'note', description: 'add a note to a run', args: [RUN, '<text...>'], examples: ['noisynn runs note 3 "lr too high"'] },
      {
        name: 'cancel',
        description: 'cancel a queued or running run, whichever process trains it',
        args: [RUN],
        examples: ['noisynn runs cancel 3'],
      },
    ],
  },
  {
    name: 'export',
    description:
      "a run's metrics as CSV or JSON, a checkpoint as safetensors with timm / torchvision names and PyTorch layouts, or the whole run as a run bundle",
    args: [RUN],
    options: [
      {
        flag: 'format',
        value: 'F',
        help: 'csv | json | safetensors | bundle (default json); a bundle is imported elsewhere with noisynn sync',
      },
      { flag: 'out', value: 'PATH', help: 'the file (csv, json) or folder (safetensors, bundle) to write' },
      { flag: 'epoch', value: 'N', help: 'safetensors: the checkpoint of epoch N (default: the last)' },
    ],
    examples: [
      'noisynn export 3 --format csv --out run3.csv',
      'noisynn export 3 --format safetensors --out run3-weights',
      'noisynn export 3 --format bundle --out /media/usb/run3 && noisynn sync /media/usb/run3 --data-dir ~/other',
    ],
    run: exportCommand,
  },
  {
    name: 'weights',
    description: 'the library of imported weights (timm ViT / torchvision ResNet safetensors) to start runs from',
    run: weightsCommand,
    subcommands: [
      {
        name: 'import',
        description: 'import a safetensors file (or a folder with config.json)',
        args: ['<path>'],
        options: [
          { flag: 'name', value: 'NAME', help: 'library name (default: from the file)' },
          {
            flag: 'model',
            value: 'PRESET',
            help: 'the architecture as a model preset (needed for a bare .safetensors file; else config.json says)',
          },
        ],
        examples: ['noisynn weights import ./vit_small.safetensors --name vit-small --model vit-small'],
      },
      { name: 'list', isDefault: true, description: 'the imported weights', examples: ['noisynn weights list'] },
      {
        name: 'show',
        description: 'one entry: architecture, input, sha256',
        args: ['<name>'],
        examples: ['noisynn weights show vit-small'],
      },
      { name: 'delete', description: 'remove an entry and its files', args: ['<name>'], examples: ['noisynn weights delete vit-small'] },
    ],
  },
  {
    name: 'datasets',
    description: 'registered datasets (MNIST and Fashion-MNIST are built in)',
    run: datasetsCommand,
    subcommands: [
      {
        name: 'add',
        description: 'register IDX files, CIFAR batches or an image folder',
        args: ['<path>'],
        options: [
          { flag: 'name', value: 'NAME', help: 'dataset name (default: the folder name)' },
          { flag: 'replace', help: 'replace a dataset of that name' },
          { flag: 'kind', value: 'KIND', help: 'mnist | fashion-mnist | idx | cifar10 | cifar100 | image-folder (default: detected)' },
          { flag: 'image-size', value: 'HxW', help: 'image-folder: resize to H x W (or N x N)' },
          { flag: 'channels', value: '1|3', help: 'image-folder: grey or colour' },
        ],
        examples: [
          'noisynn datasets add ./my-idx --name digits',
          'noisynn datasets add ./photos --kind image-folder --image-size 32 --channels 3',
        ],
      },
      { name: 'list', isDefault: true, description: 'the registered datasets', examples: ['noisynn datasets list'] },
      {
        name: 'show',
        description: 'one dataset: kind, size, classes, fingerprint',
        args: ['<name>'],
        examples: ['noisynn datasets show mnist'],
      },
      {
        name: 'remove',
        description: 'unregister a dataset',
        args: ['<name>'],
        options: [{ flag: 'force', help: 'also when runs use it' }],
        examples: ['noisynn datasets remove digits --force'],
      },
    ],
  },
  {
    name: 'doctor',
    description: 'which backends, native addons and data this machine has',
    options: [BACKEND],
    examples: ['noisynn doctor', 'noisynn doctor --backend wasm --json'],
    run: doctorCommand,
  },
  {
    name: 'study',
    description: 'the small-scale reproduction study of the paper',
    run: studyCommand,
    subcommands: [
      {
        name: 'reproduce',
        description: 'run (or continue) the study and write its report; with --slurm, submit its runs to Slurm',
        options: [
          { flag: 'quick', help: 'the quick study (1 epoch on a subset), report in docs/' },
          {
            flag: 'standard',
            help: 'the standard study (full training sets, 1 epoch, 3 seeds; eval-only cells reuse the noise-free weights; k sweep), report in docs/',
          },
          { flag: 'smoke', help: 'a pipeline check on 200 images (never results); with --standard, of the standard design', hidden: true },
          { flag: 'concurrency', value: 'N', help: 'runs at a time, 1 to 16 (default 2)' },
          { flag: 'out', value: 'DIR', help: 'report folder (default: docs/ for --quick, else <data dir>/study)' },
          { flag: 'dry-run', help: 'with --slurm: print the sbatch script and exit' },
          BACKEND,
          ...SLURM_OPTIONS,
        ],
        examples: [
          'noisynn study reproduce --quick',
          'noisynn study reproduce --standard',
          'noisynn study reproduce --slurm --bundle-dir /shared/bundles --cluster lab',
          'noisynn sync /shared/bundles && noisynn study reproduce',
        ],
      },
    ],
  },
  {
    name: 'sweep',
    description: 'grid and random sweeps over a base config',
    run: sweepCommand,
    subcommands: [
      {
        name: 'submit',
        description: 'a grid or random sweep, run here through the run queue or on Slurm as one job array',
        options: [
          { flag: 'name', value: 'NAME', help: 'sweep name (required); runs are named NAME-0000, ...' },
          { flag: 'grid', value: 'PATH=V1,V2', help: 'a grid axis (repeatable): every combination', repeatable: true },
          { flag: 'random', value: 'PATH=V1,V2|LO:HI', help: 'a random axis (repeatable): values or a uniform range', repeatable: true },
          { flag: 'samples', value: 'S', help: 'random sweeps: how many points' },
          { flag: 'sweep-seed', value: 'N', help: 'random sweeps: the seed of the sampling' },
          { flag: 'concurrency', value: 'N', help: 'local runs at a time (default 1)' },
          { flag: 'dry-run', help: 'print the points (or, with --slurm, the sbatch script) and exit' },
          ...CONFIG_SOURCES,
          BACKEND,
          ...SLURM_OPTIONS,
          ...configOptions().filter((o) => o.flag !== 'name'),
        ],
        examples: [
          'noisynn sweep submit --name alphas --preset mnist-cnn --noise linear-shift --grid noise.alpha=0.1,0.3,0.5 --grid seed=1,2',
          'noisynn sweep submit --name lr --random optimizer.lr=1e-4:1e-2 --samples 8 --slurm --bundle-dir /shared/bundles',
        ],
      },
    ],
  },
  {
    name: 'sync',
    description: 'import run bundles (Slurm tasks, other workstations) into the store',
    args: ['<dirs...>'],
    examples: ['noisynn sync /shared/bundles/alphas', 'noisynn sync /shared/bundles --json'],
    run: syncCommand,
  },
  {
    name: 'cluster',
    description: 'Slurm cluster profiles: where the project and node are on the cluster, and sbatch defaults',
    run: clusterCommand,
    subcommands: [
      {
        name: 'add',
        description: 'add or replace a profile',
        args: ['<name>'],
        options: [
          { flag: 'project-dir', value: 'DIR', help: 'this checkout as the nodes see it (default: this folder)' },
          { flag: 'node', value: 'PATH', help: 'node on the nodes (default: this one)' },
          BACKEND,
          { flag: 'module', value: 'M', help: 'module load M in each task (repeatable)', repeatable: true },
          { flag: 'setup', value: 'LINE', help: 'a shell line run before each task (repeatable)', repeatable: true },
          ...SLURM_OPTIONS.filter((o) => !['slurm', 'bundle-dir', 'cluster'].includes(o.flag)).map((o) => ({
            ...o,
            help: o.help.replace('with --slurm: ', ''),
          })),
        ],
        examples: ['noisynn cluster add lab --project-dir /shared/noisynn --node /opt/node/bin/node --partition gpu --gres gpu:1'],
      },
      { name: 'list', description: 'the profiles', examples: ['noisynn cluster list'] },
      { name: 'remove', description: 'remove a profile', args: ['<name>'], examples: ['noisynn cluster remove lab'] },
    ],
  },
  {
    name: 'serve',
    description: 'browser mode: the app over 127.0.0.1 with a token in the printed URL',
    options: [
      { flag: 'port', value: 'N', help: 'port, 0 = any free one (default: the last one used)' },
      { flag: 'static', value: 'DIR', help: 'the built renderer to serve (default: out/renderer)' },
      { flag: 'exit-with-stdin', help: "shut down when stdin closes (the desktop shell's lifeline)" },
    ],
    examples: ['noisynn serve', 'noisynn serve --port 8080'],
    run: serveCommand,
  },
];
