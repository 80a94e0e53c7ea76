// What a command's body receives from the parser (cli/program.ts): its arguments, flags and repeated flags.

export interface ParsedArgs {
  /** The subcommand (if any) followed by the command's arguments. */
  positionals: string[];
  flags: Record<string, string | boolean | undefined>;
  lists: Record<string, string[]>;
}

/** Wrong usage of the command line: exit code 2 (other failures exit 1). */
export class UsageError extends Error {}
