// Errors of the configuration layer. parseConfig() collects every problem in
// a file and throws them together in one ConfigError, so an operator fixes a
// file in one pass and the daemon never starts on half a configuration.

/** One problem at a place in a file. line and column are 1-based; word is the text at fault. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  word: string;
  message: string;
}

/** "ospfd.conf:12:3: unknown command "ip ospf hello-interva"". */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
}

/** A configuration file that cannot be used; `errors` lists every problem found, in file order. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly errors: ConfigIssue[];

  constructor(errors: ConfigIssue[]) {
    super(errors.map(formatIssue).join('\n'));
    this.errors = errors;
  }
}

/** No `ospf router-id` was configured and no interface has an address to take one from. */
export class RouterIdError extends Error {
  override name = 'RouterIdError';
}
