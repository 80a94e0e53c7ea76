// A small argv parser: `--flag value`, `--flag=value`, boolean `--flag` / `--no-flag`, repeatable flags.
// Unknown flags are errors, so a typo never silently trains the wrong config.

export interface ArgSpec {
  /** Flags that take no value. */
  booleans: string[];
  /** Flags that take a value. */
  values: string[];
  /** Value flags that may repeat (collected in order). */
  repeatable?: string[];
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean | undefined>;
  lists: Record<string, string[]>;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: ArgSpec): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: {}, lists: {} };
  const isBool = (f: string) => spec.booleans.includes(f);
  const takesValue = (f: string) => spec.values.includes(f);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || a === '--') {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    let name = a.slice(2, eq < 0 ? undefined : eq);
    let value: string | boolean | undefined = eq < 0 ? undefined : a.slice(eq + 1);
    if (!isBool(name) && !takesValue(name) && name.startsWith('no-') && isBool(name.slice(3)) && value === undefined) {
      name = name.slice(3);
      value = false;
    }
    if (isBool(name)) {
      if (typeof value === 'string') {
        if (!['true', 'false', '1', '0'].includes(value)) throw new UsageError(`--${name} is a switch: use --${name} or --no-${name}`);
        value = value === 'true' || value === '1';
      }
      out.flags[name] = value ?? true;
    } else if (takesValue(name)) {
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
        value = argv[++i];
      }
      if (spec.repeatable?.includes(name)) (out.lists[name] ??= []).push(value as string);
      else out.flags[name] = value;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return out;
}
