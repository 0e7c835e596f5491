// What the parser carries from line to line: the model being built, the
// section (FRR "node") the current line belongs to, and the places where
// earlier statements were made, for cross-line checks.

import { formatIpv4 } from '../lib/ipv4.js';
import type { Cursor } from './cursor.js';
import type { ConfigIssue } from './errors.js';
import type { Word } from './lexer.js';
import type { AnycastConfig, InterfaceConfig, LogDestination, OspfConfig, StaticRoute } from './types.js';

export type Section =
  | { kind: 'top' }
  | { kind: 'interface'; config: InterfaceConfig }
  | { kind: 'ospf'; config: OspfConfig }
  | { kind: 'anycast'; config: AnycastConfig }
  | { kind: 'vty' }
  /** After a section header that was refused: its lines are not reported again. */
  | { kind: 'skip' };

export interface ParseState {
  file: string;
  issues: ConfigIssue[];
  section: Section;
  hostname?: string;
  routerId?: number;
  logDestinations: Map<LogDestination['kind'], LogDestination>;
  logFormat: 'text' | 'json';
  timestampPrecision: number;
  staticRoutes: StaticRoute[];
  interfaces: Map<string, InterfaceConfig>;
  ospf?: OspfConfig;
  /** Anycast blocks with the line of their header, for the duplicate check. */
  anycast: { config: AnycastConfig; line: number }[];
  controlSocket?: string;
  user?: { name: string; group?: string };
  metricsListen?: { address: number; port: number };
  routeMetric?: number;
  routeTable?: number;
  /** The first area named anywhere, and where. */
  area?: { value: number; line: number };
}

/**
 * Records that a statement puts this router in `area`. This project runs a
 * single area, so a second, different area is refused where it appears.
 */
export function useArea(state: ParseState, cur: Cursor, word: Word, area: number): void {
  if (state.area === undefined) {
    state.area = { value: area, line: cur.line.number };
    return;
  }
  if (state.area.value !== area) {
    cur.fail(
      word,
      `not supported: a second area ${formatIpv4(area)}: this router runs in one area, ` +
        `${formatIpv4(state.area.value)} (line ${state.area.line})`,
    );
  }
}
