// Designated Router election on a broadcast network (RFC 2328 9.4), as a
// pure function of the router's own view and its neighbors' Hello fields.

/** One router taking part in the election: its declared DR and BDR are interface addresses. */
export interface Candidate {
  routerId: number;
  address: number;
  priority: number;
  dr: number;
  bdr: number;
}

export interface ElectionResult {
  dr: number; // interface address, 0 = none
  bdr: number;
}

/** Highest priority, ties broken by highest Router ID (RFC 2328 9.4 steps 2 and 3). */
function best(candidates: Candidate[]): Candidate | undefined {
  let chosen: Candidate | undefined;
  for (const c of candidates) {
    if (chosen === undefined || c.priority > chosen.priority || (c.priority === chosen.priority && c.routerId > chosen.routerId)) {
      chosen = c;
    }
  }
  return chosen;
}

/** RFC 2328 9.4 steps 2 and 3 over the eligible routers. */
function calculate(eligible: Candidate[]): ElectionResult {
  // Step 2: the BDR, from the routers not declaring themselves DR.
  const notDr = eligible.filter((c) => c.dr !== c.address);
  const declaringBdr = notDr.filter((c) => c.bdr === c.address);
  const bdr = best(declaringBdr.length > 0 ? declaringBdr : notDr);
  // Step 3: the DR, from the routers declaring themselves DR; else the new BDR.
  const dr = best(eligible.filter((c) => c.dr === c.address)) ?? bdr;
  return { dr: dr?.address ?? 0, bdr: bdr?.address ?? 0 };
}

/**
 * Runs the election. `self` carries the interface's current DR and BDR as its
 * declaration; `neighbors` are those in state 2-Way or higher (RFC 2328 9.4
 * step 1). Routers with priority 0 are not eligible.
 */
export function electDesignatedRouter(self: Candidate, neighbors: Candidate[]): ElectionResult {
  const others = neighbors.filter((c) => c.priority > 0);
  const withSelf = (me: Candidate): Candidate[] => (me.priority > 0 ? [me, ...others] : others);
  const first = calculate(withSelf(self));
  const wasDr = self.dr === self.address;
  const wasBdr = self.bdr === self.address;
  const isDr = first.dr === self.address;
  const isBdr = first.bdr === self.address;
  // Step 4: when the router's own role changed, repeat steps 2 and 3 with its new declaration.
  if (wasDr !== isDr || wasBdr !== isBdr) {
    return calculate(withSelf({ ...self, dr: first.dr, bdr: first.bdr }));
  }
  return first;
}
