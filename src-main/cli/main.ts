// The `noisynn` command: one entry; the commands are listed in cli/commands.ts, their bodies one file per command.
import { UsageError } from './args';
import { COMMANDS } from './commands';
import { printJson } from './output';
import type { Command } from 'commander';
import { CommanderError, isHelp, makeProgram, type Program } from './program';

const AFTER = `Every command takes --data-dir DIR (else $NOISYNN_HOME, else the OS app-data folder) and --json
(the last line of stdout is then one JSON object). 'noisynn COMMAND --help' lists a command's options and examples.`;

export function program(): Program {
  return makeProgram('noisynn', 'NoisyNN Workbench from the command line', COMMANDS, AFTER);
}

// `noisynn ... | head`: when the reader has gone, stop quietly as other command-line tools do.
function quietOnClosedPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(0);
  });
}

/** The program's switches, each with whether it also has --no-X. */
function switches(cmd: Command, out = new Map<string, boolean>()): Map<string, boolean> {
  for (const o of cmd.options)
    if (o.isBoolean() && o.long && !o.negate)
      out.set(o.long, out.get(o.long) || cmd.options.some((n) => n.long === `--no-${o.long!.slice(2)}`));
  for (const c of cmd.commands) switches(c, out);
  return out;
}

/** `--detach=false` and the like, which the old parser took: a switch given a value becomes --X / --no-X (or is left out). */
function switchValues(argv: string[], known: Map<string, boolean>): string[] {
  return argv.flatMap((a) => {
    const m = /^(--[a-z][a-z0-9-]*)=(true|false|1|0)$/.exec(a);
    if (!m || !known.has(m[1])) return [a];
    if (m[2] === 'true' || m[2] === '1') return [m[1]];
    return known.get(m[1]) ? [`--no-${m[1].slice(2)}`] : [];
  });
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const [cmd] = argv;
  const json = argv.includes('--json');
  const p = program();
  if (!cmd) {
    p.command.outputHelp();
    return 0;
  }
  try {
    return await p.run(switchValues(argv, switches(p.command)));
  } catch (e) {
    if (isHelp(e)) return 0;
    const usage = e instanceof UsageError || e instanceof CommanderError;
    // A command group without its subcommand: commander has printed the group's help to stderr.
    const noSub = e instanceof CommanderError && e.code === 'commander.help';
    const message = noSub
      ? 'name a subcommand (listed above)'
      : e instanceof CommanderError
        ? e.message.replace(/^error: /, '')
        : (e as Error).message;
    console.error(`noisynn ${cmd}: ${message}`);
    if (process.env.NOISYNN_DEBUG) console.error((e as Error).stack);
    if (json) printJson({ error: message });
    return usage ? 2 : 1;
  }
}
