// Shared helpers for the configuration tests.
import { expect } from 'vitest';
import { ConfigError, parseConfig, type ConfigIssue, type DaemonConfig } from '../../src/config/index.js';

/** A minimal router ospf section, for tests about other statements. */
export const OSPF = 'router ospf\n ospf router-id 10.0.0.1\n network 10.0.0.0/24 area 0\n';

export function parse(text: string, file = 'test.conf'): DaemonConfig {
  return parseConfig(text, file);
}

/** The issues parseConfig reports for `text`; fails the test when it does not throw a ConfigError. */
export function issuesOf(text: string, file = 'test.conf'): ConfigIssue[] {
  let thrown: unknown;
  try {
    parseConfig(text, file);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  return (thrown as ConfigError).errors;
}

/** The single issue reported for `text`. */
export function issueOf(text: string): ConfigIssue {
  const issues = issuesOf(text);
  expect(issues, issues.map((i) => i.message).join('\n')).toHaveLength(1);
  return issues[0] as ConfigIssue;
}
