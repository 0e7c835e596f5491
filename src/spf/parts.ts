// The parts of one Spf that its route stages (intra-area, inter-area,
// AS-external) read and write, handed to each stage as one object.

import type { Destinations } from './destinations.js';
import type { ShortestPathTree } from './dijkstra.js';
import type { SpfGraph } from './graph.js';
import type { OwnInterfaces } from './interfaces.js';
import type { SpfLsdb } from './lsdb.js';
import type { NextHopSets } from './next-hops.js';
import type { RouteTable } from './route-table.js';

export interface CalculationParts {
  readonly routerId: number;
  readonly graph: SpfGraph;
  readonly tree: ShortestPathTree;
  readonly dest: Destinations;
  readonly table: RouteTable;
  readonly sets: NextHopSets;
  readonly interfaces: OwnInterfaces;
  readonly lsdb: SpfLsdb;
}
