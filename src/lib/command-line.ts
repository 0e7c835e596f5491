// Reads a command line with node:util's parseArgs, each mistake said in one
// line for the operator: an option that does not exist, an option without
// its value, a flag given one.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export type CommandLineOptions = NonNullable<ParseArgsConfig['options']>;

export interface CommandLine<O extends CommandLineOptions> {
  /** The options given, by long name: a string option's last value, true for a flag. */
  values: { [K in keyof O]?: O[K]['type'] extends 'string' ? string : true };
  /** The words that are not options, in order. */
  positionals: string[];
}

/**
 * argv read against `options`. `fail` throws the usage error of the first
 * mistake: `unknown option "--frob"` (`unknownNoun` names what an unknown
 * word is), `--socket needs a value` (missing, or followed by another
 * option), `--json takes no value`.
 */
export function readCommandLine<O extends CommandLineOptions>(
  argv: readonly string[],
  options: O,
  fail: (message: string) => never,
  unknownNoun = 'option',
): CommandLine<O> {
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    if (option === undefined) return fail(`unknown ${unknownNoun} "${token.rawName}"`);
    if (option.type === 'boolean') {
      if (token.value !== undefined) return fail(`${token.rawName} takes no value`);
      values[token.name] = true;
    } else {
      if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) return fail(`${token.rawName} needs a value`);
      values[token.name] = token.value;
    }
  }
  return { values: values as CommandLine<O>['values'], positionals };
}
