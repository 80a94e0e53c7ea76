// The command specs (cli/commands.ts) as a commander program: per-command help with examples, unknown options
// refused (a typo never silently trains the wrong config), and the parsed values handed to each command's body.
import { Command, CommanderError, Option } from 'commander';
import type { ParsedArgs } from './args';

export interface OptionSpec {
  /** The flag without `--`. */
  flag: string;
  /** The value's placeholder ('N', 'DIR'); absent: a switch. */
  value?: string;
  help: string;
  repeatable?: boolean;
  /** A switch that also takes --no-FLAG (the config's booleans). */
  negatable?: boolean;
  hidden?: boolean;
  /** Heading the option is listed under in --help. */
  group?: string;
}

export interface CommandSpec {
  name: string;
  description: string;
  /** commander's argument syntax: '<run>', '[run]', '<dirs...>'. */
  args?: string[];
  options?: OptionSpec[];
  examples?: string[];
  /** The body. A subcommand without its own body runs its parent's with the subcommand's name first in positionals. */
  run?: (a: ParsedArgs) => Promise<number>;
  subcommands?: CommandSpec[];
  /** Run when the parent is given no subcommand (`runs` = `runs list`). */
  isDefault?: boolean;
}

/** Every command takes these (the data dir, and JSON as the last line of stdout). */
export const COMMON_OPTIONS: OptionSpec[] = [
  { flag: 'data-dir', value: 'DIR', help: 'data directory (else $NOISYNN_HOME, else the OS app-data folder)' },
  { flag: 'json', help: 'the last line of stdout is one JSON object' },
];

function addOption(cmd: Command, o: OptionSpec): string {
  const opt = new Option(`--${o.flag}${o.value ? ` <${o.value}>` : ''}`, o.help);
  if (o.repeatable) opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
  if (o.hidden) opt.hideHelp();
  if (o.group) opt.helpGroup(o.group);
  cmd.addOption(opt);
  if (o.negatable) cmd.addOption(new Option(`--no-${o.flag}`, `turn --${o.flag} off`).hideHelp());
  return opt.attributeName();
}

function build(
  parent: Command,
  spec: CommandSpec,
  prefix: string[],
  inherited?: CommandSpec['run'],
  onDone?: (code: number) => void,
): Command {
  const cmd = parent.command(spec.name, { isDefault: spec.isDefault }).description(spec.description);
  if (spec.examples?.length) cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}`);
  if (spec.subcommands) {
    // Options belong to the subcommands: a group given only options (`sweep --json`) says to name one.
    cmd.allowUnknownOption();
    for (const sub of spec.subcommands) build(cmd, sub, [...prefix, sub.name], spec.run ?? inherited, onDone);
    return cmd;
  }
  for (const a of spec.args ?? []) cmd.argument(a);
  const options = [...(spec.options ?? []), ...COMMON_OPTIONS];
  const names = options.map((o) => [o, addOption(cmd, o)] as const);
  const run = spec.run ?? inherited;
  if (!run) throw new Error(`command '${spec.name}' has no body`);
  // The subcommand's own name leads the positionals (`runs show 3` -> ['show', '3']), as the bodies expect.
  const lead = spec.run ? [] : prefix.slice(-1);
  cmd.action(async (...xs: unknown[]) => {
    const c = xs[xs.length - 1] as Command;
    const values = c.opts();
    const a: ParsedArgs = {
      positionals: [...lead, ...c.processedArgs.flat().filter((v): v is string => typeof v === 'string')],
      flags: {},
      lists: {},
    };
    for (const [o, key] of names) {
      if (o.repeatable) a.lists[o.flag] = (values[key] as string[] | undefined) ?? [];
      else a.flags[o.flag] = values[key] as string | boolean | undefined;
    }
    onDone?.(await run(a));
  });
  return cmd;
}

export interface Program {
  command: Command;
  /** Parses and runs; the command's exit code, or throws commander's error for bad usage. */
  run(argv: string[]): Promise<number>;
}

export function makeProgram(name: string, description: string, specs: CommandSpec[], after: string): Program {
  const program = new Command(name)
    .description(description)
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  program.addHelpText('after', `\n${after}`);
  let code = 0;
  for (const s of specs) build(program, s, [s.name], undefined, (c) => (code = c));
  return {
    command: program,
    async run(argv) {
      code = 0;
      await program.parseAsync(argv, { from: 'user' });
      return code;
    },
  };
}

/** commander's error for a help request (exit 0) rather than a usage mistake. */
export const isHelp = (e: unknown): e is CommanderError =>
  e instanceof CommanderError && (e.code === 'commander.helpDisplayed' || (e.code === 'commander.help' && e.exitCode === 0));
export { CommanderError };
