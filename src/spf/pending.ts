// What the next calculation has to do: the marks LSA and interface changes
// leave (RFC 2328 16.5, 16.6: only what a change touches is recomputed),
// cleared when the calculation has run.

export class PendingWork {
  /** Dijkstra must run (RFC 2328 16.1): topology, router flags or interfaces changed. */
  dijkstra = true;
  /** Every destination must be recomputed (interfaces changed, or next-hop sets were renumbered). */
  everyDestination = true;
  /** Vertices whose LSA changed in a way that matters to routes through them even at the same distance. */
  readonly forcedVertices = new Set<number>();
  /** Prefix slots whose intra- or inter-area route may have changed (16.1, 16.2). */
  readonly prefixes = new Set<number>();
  /** Prefix slots whose AS-external route may have changed (16.4). */
  readonly externals = new Set<number>();
  /** ASBRs whose ASBR-summary-LSAs changed (16.2). */
  readonly asbrs = new Set<number>();

  get any(): boolean {
    return this.dijkstra || this.prefixes.size > 0 || this.externals.size > 0 || this.asbrs.size > 0;
  }

  /** After a calculation: everything marked has been done. */
  done(): void {
    this.dijkstra = false;
    this.prefixes.clear();
    this.externals.clear();
    this.asbrs.clear();
  }
}
