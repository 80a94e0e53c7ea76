// `noisynn cluster add` and the profile's use by `sweep submit --slurm --dry-run` (no Slurm needed: nothing is submitted).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

test('a cluster profile is kept in the data dir and sets the sweep script; flags override it; bad input is named', () => {
  const data = tempDir();
  const add = cli(
    data,
    'cluster',
    'add',
    'lab',
    '--project-dir',
    '/shared/noisynn',
    '--node',
    '/opt/node/bin/node',
    '--backend',
    'wasm',
    '--module',
    'gcc/12',
    '--setup',
    'source /shared/env.sh',
    '--partition',
    'cpu',
    '--time',
    '00:30:00',
    '--sbatch-arg',
    '--mem=2G',
    '--json',
  );
  assert.equal(add.code, 0, add.stderr);
  assert.ok(existsSync(join(data, 'clusters.json')));
  const list = cli(data, 'cluster', 'list', '--json');
  assert.deepEqual(
    (list.json!.clusters as { name: string }[]).map((c) => c.name),
    ['lab'],
  );
  const bundles = tempDir();
  const dry = cli(
    data,
    'sweep',
    'submit',
    '--name',
    'p',
    '--preset',
    'mnist-cnn',
    '--grid',
    'seed=1,2,3',
    '--slurm',
    '--cluster',
    'lab',
    '--partition',
    'big',
    '--bundle-dir',
    bundles,
    '--dry-run',
  );
  assert.equal(dry.code, 0, dry.stderr);
  const lines = dry.stdout.split('\n');
  for (const l of [
    '#SBATCH --array=0-2',
    '#SBATCH --partition=big',
    '#SBATCH --time=00:30:00',
    '#SBATCH --mem=2G',
    'module load gcc/12',
    'source /shared/env.sh',
    'export NOISYNN_BACKEND=wasm',
    'cd /shared/noisynn',
    `bundle=${bundles}/p/runs/$(printf %04d "$SLURM_ARRAY_TASK_ID")`,
    'exec /opt/node/bin/node /shared/noisynn/bin/noisynn.mjs train --bundle "$bundle"',
  ])
    assert.ok(lines.includes(l), `missing '${l}' in\n${dry.stdout}`);
  assert.ok(!existsSync(join(bundles, 'p')), '--dry-run writes nothing');
  const unknown = cli(data, 'sweep', 'submit', '--name', 'p', '--grid', 'seed=1', '--slurm', '--cluster', 'nope', '--bundle-dir', bundles);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /no cluster profile 'nope' in .*clusters\.json \(known: lab\)/);
  const badName = cli(data, 'cluster', 'add', 'a b');
  assert.match(badName.stderr, /cluster name 'a b' may hold only/);
  assert.equal(cli(data, 'cluster', 'remove', 'lab').code, 0);
  assert.deepEqual(JSON.parse(readFileSync(join(data, 'clusters.json'), 'utf8')), []);
});
