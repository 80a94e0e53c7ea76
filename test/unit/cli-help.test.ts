// `noisynn <command> --help` for every command and subcommand of the program (the list comes from the program itself).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Command } from 'commander';
import { main, program } from '../../src-main/cli/main';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';

function paths(cmd: Command, prefix: string[] = []): { path: string[]; cmd: Command }[] {
  return cmd.commands
    .filter((c) => c.name() !== 'help')
    .flatMap((c) => [{ path: [...prefix, c.name()], cmd: c }, ...paths(c, [...prefix, c.name()])]);
}

async function captured(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = process.stdout.write;
  process.stdout.write = ((s: string | Uint8Array) => ((out += String(s)), true)) as typeof process.stdout.write;
  try {
    return { code: await main(argv), out };
  } finally {
    process.stdout.write = write;
  }
}

test('every command and subcommand has --help naming its description, options, subcommands and examples', async () => {
  const all = paths(program().command);
  assert.ok(all.length >= 30, `${all.length} commands`);
  for (const { path, cmd } of all) {
    const { code, out } = await captured([...path, '--help']);
    assert.equal(code, 0, path.join(' '));
    assert.match(out, new RegExp(`^Usage: noisynn ${path.join(' ')}`), path.join(' '));
    assert.ok(out.includes(cmd.description().slice(0, 40)), `${path.join(' ')}: description`);
    for (const o of cmd.options.filter((x) => !x.hidden)) assert.ok(out.includes(o.long!), `${path.join(' ')}: ${o.long}`);
    for (const sub of cmd.commands) assert.ok(out.includes(sub.name()), `${path.join(' ')}: ${sub.name()}`);
    if (cmd.commands.length === 0) {
      assert.match(out, /Examples:\n {2}\$ noisynn /, `${path.join(' ')}: examples`);
      assert.ok(out.includes('--data-dir') && out.includes('--json'), `${path.join(' ')}: common options`);
    }
  }
});

test("train's help lists every config flag with its field path, from the field table", async () => {
  const { out } = await captured(['train', '--help']);
  const { CONFIG_FIELDS } = await import('../../src-main/engine/config/field-table');
  for (const f of CONFIG_FIELDS.filter((x) => x.flag)) assert.match(out, new RegExp(`--${f.flag}\\b[^\\n]*\\n?[^\\n]*`), f.flag);
  for (const f of CONFIG_FIELDS.filter((x) => x.flag)) assert.ok(out.replace(/\s+/g, ' ').includes(`[${f.path}]`), f.path);
});

test('the spawned CLI: runs --help exits 0; unknown options and missing subcommands are usage errors (exit 2)', () => {
  const dir = tempDir();
  const help = cli(dir, 'runs', '--help');
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /list.*\n(.*\n)*.*compare/);
  const typo = cli(dir, 'runs', 'list', '--stauts', 'completed');
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /noisynn runs: unknown option '--stauts'/);
  const none = cli(dir, 'sweep', '--json');
  assert.equal(none.code, 2);
  assert.equal(none.json?.error, 'name a subcommand (listed above)');
});

test('config switches take --X, --no-X and --X=false; values may be negative or given as --X=V; --set repeats', () => {
  const dir = tempDir();
  const r = cli(
    dir,
    'train',
    '--dry-run',
    '--no-skip-first-token',
    '--detach=false',
    '--quiet=0',
    '--noise-block',
    '-1',
    '--limit-test=5',
    '--set',
    'seed=7',
    '--set',
    'epochs=2',
  );
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as {
    seed: number;
    epochs: number;
    limitTest: number;
    noise: { skipFirstToken: boolean; detach: boolean; site: { block: number } };
  };
  assert.deepEqual(
    [c.seed, c.epochs, c.limitTest, c.noise.skipFirstToken, c.noise.detach, c.noise.site.block],
    [7, 2, 5, false, false, -1],
  );
});
