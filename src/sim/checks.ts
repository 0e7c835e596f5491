// What a converged OSPF network looks like, checked against a simulator's
// cores: adjacencies as RFC 2328 10.4 and 9.4 require them, identical LSDBs
// within each connected part, nothing left to retransmit or request, and
// self-originated LSAs that match each router's adjacencies and configuration.
// Problems come back as sentences, so a failing test can print them all.

import type { InterfaceView, NeighborState, NeighborView } from '../core/api.js';
import { formatIpv4, formatPrefix } from '../lib/ipv4.js';
import { decodeLsaBody } from '../packet/index.js';
import { LsaType, RouterLinkType } from '../packet/types.js';
import type { Simulator } from './simulator.js';
import { LOOPBACK_IFNAME } from './topology.js';

const MAX_AGE = 3600; // RFC 2328 B, seconds
const MAX_REPORTED_LSDB_DIFFERENCES = 8;

/** Everything that differs from a converged network, as readable lines; empty when converged. */
export function checkConvergence(sim: Simulator): string[] {
  return [...checkAdjacencies(sim), ...checkLsdbs(sim), ...checkOrigination(sim)];
}

/**
 * Per segment, with the ports and routers that work: point-to-point ends are
 * Full (RFC 2328 10.4); on broadcast segments everyone agrees on the DR and
 * BDR (9.4), both are eligible, they are Full with every router and DROthers
 * stay 2-Way with each other; no neighbor has anything left to retransmit or
 * request (RFC 2328 10: the lists empty once flooding and exchange finish).
 */
export function checkAdjacencies(sim: Simulator): string[] {
  const problems: string[] = [];
  const views = new Map<number, { interfaces: InterfaceView[]; neighbors: NeighborView[] }>();
  for (let r = 0; r < sim.routerCount; r++) {
    const core = sim.core(r);
    if (core === undefined) continue;
    views.set(r, { interfaces: core.interfaces(), neighbors: core.neighbors() });
  }
  const name = (r: number): string => sim.topology.routers[r].name;

  for (const [r, view] of views) {
    const lo = view.interfaces.find((i) => i.name === LOOPBACK_IFNAME);
    if (lo !== undefined && lo.state !== 'Loopback') problems.push(`${name(r)} ${LOOPBACK_IFNAME}: state ${lo.state}, expected Loopback`);
    for (const n of view.neighbors) {
      if (n.retransmitCount > 0 || n.requestCount > 0) {
        problems.push(
          `${name(r)} ${n.ifName}: neighbor ${formatIpv4(n.routerId)} still has ${n.retransmitCount} to retransmit, ${n.requestCount} to request`,
        );
      }
    }
  }

  for (const segment of sim.topology.segments) {
    const members = segment.attachments.filter((a) => sim.linkWorks(segment.id, a.router));
    const where = (r: number, ifName: string): string => `${name(r)} ${ifName} (${segment.name})`;
    const ifView = new Map<number, InterfaceView>();
    for (const a of members) {
      const view = views.get(a.router)?.interfaces.find((i) => i.name === a.ifName);
      if (view === undefined) {
        problems.push(`${where(a.router, a.ifName)}: interface missing from interfaces()`);
        continue;
      }
      if (view.address !== a.address) problems.push(`${where(a.router, a.ifName)}: address ${formatIpv4(view.address)}, expected ${formatIpv4(a.address)}`);
      ifView.set(a.router, view);
    }
    if (ifView.size !== members.length) continue;

    // The state each member expects each other member in, and its own interface state.
    const expected = new Map<string, NeighborState>();
    const ifState = new Map<number, string>();
    if (segment.kind === 'point-to-point') {
      for (const a of members) {
        ifState.set(a.router, 'PointToPoint');
        for (const b of members) if (b !== a) expected.set(`${a.router} ${b.router}`, 'Full');
      }
    } else {
      const first = ifView.get(members[0].router);
      const dr = first?.dr ?? 0;
      const bdr = first?.bdr ?? 0;
      for (const a of members) {
        const v = ifView.get(a.router);
        if (v !== undefined && (v.dr !== dr || v.bdr !== bdr)) {
          problems.push(
            `${where(a.router, a.ifName)}: DR ${formatIpv4(v.dr)} BDR ${formatIpv4(v.bdr)}, but ${name(members[0].router)} says DR ${formatIpv4(dr)} BDR ${formatIpv4(bdr)}`,
          );
        }
      }
      const eligible = members.filter((a) => a.priority > 0);
      const drMember = members.find((a) => a.address === dr);
      const bdrMember = members.find((a) => a.address === bdr);
      if (eligible.length > 0 && (drMember === undefined || drMember.priority === 0)) {
        problems.push(`${segment.name}: DR ${formatIpv4(dr)} is not an eligible router on the segment`);
      }
      if (eligible.length === 0 && dr !== 0) problems.push(`${segment.name}: DR ${formatIpv4(dr)} elected with no eligible router`);
      if (eligible.length >= 2 && (bdrMember === undefined || bdrMember.priority === 0 || bdrMember === drMember)) {
        problems.push(`${segment.name}: BDR ${formatIpv4(bdr)} is not a second eligible router on the segment`);
      }
      if (eligible.length < 2 && bdr !== 0) problems.push(`${segment.name}: BDR ${formatIpv4(bdr)} with fewer than two eligible routers`);
      const special = (a: number): boolean => a === drMember?.router || a === bdrMember?.router;
      for (const a of members) {
        ifState.set(a.router, a.router === drMember?.router ? 'DR' : a.router === bdrMember?.router ? 'Backup' : 'DROther');
        for (const b of members) {
          if (b !== a) expected.set(`${a.router} ${b.router}`, special(a.router) || special(b.router) ? 'Full' : '2-Way');
        }
      }
    }

    for (const a of members) {
      const v = ifView.get(a.router);
      const want = ifState.get(a.router);
      if (v !== undefined && want !== undefined && v.state !== want) problems.push(`${where(a.router, a.ifName)}: interface ${v.state}, expected ${want}`);
      const neighbors = (views.get(a.router)?.neighbors ?? []).filter((n) => n.ifName === a.ifName);
      for (const b of members) {
        if (b === a) continue;
        const want = expected.get(`${a.router} ${b.router}`);
        const rid = sim.topology.routers[b.router].routerId;
        const found = neighbors.filter((n) => n.routerId === rid);
        if (found.length === 0) problems.push(`${where(a.router, a.ifName)}: no neighbor ${name(b.router)}, expected ${want}`);
        else if (found.length > 1) problems.push(`${where(a.router, a.ifName)}: ${found.length} entries for neighbor ${name(b.router)}`);
        else if (found[0].state !== want) problems.push(`${where(a.router, a.ifName)}: neighbor ${name(b.router)} is ${found[0].state}, expected ${want}`);
      }
      const others = new Set(members.filter((b) => b !== a).map((b) => sim.topology.routers[b.router].routerId));
      for (const n of neighbors) {
        if (!others.has(n.routerId) && n.state !== 'Down') {
          problems.push(`${where(a.router, a.ifName)}: neighbor ${formatIpv4(n.routerId)} is ${n.state} but is not reachable there`);
        }
      }
    }
  }
  return problems;
}

/**
 * Within each set of routers that can reach each other, every LSDB holds the
 * same LSAs (type, id, advertising router) with the same sequence number and
 * checksum (RFC 2328 13: flooding makes the databases identical), and no
 * MaxAge LSA is left once its flush was acknowledged (RFC 2328 14).
 */
export function checkLsdbs(sim: Simulator): string[] {
  const problems: string[] = [];
  const name = (r: number): string => sim.topology.routers[r].name;
  for (const component of components(sim)) {
    const dbs = component.map((r) => {
      const map = new Map<string, string>();
      for (const h of sim.core(r)?.lsdb(sim.now) ?? []) {
        const key = `type ${h.type} id ${formatIpv4(h.lsId)} adv ${formatIpv4(h.advRouter)}`;
        map.set(key, `seq 0x${(h.seq >>> 0).toString(16)} cksum 0x${h.checksum.toString(16)}`);
        if (h.age >= MAX_AGE) problems.push(`${name(r)}: ${key} still held at MaxAge`);
      }
      return map;
    });
    const [ref, ...rest] = dbs;
    let reported = 0;
    rest.forEach((db, i) => {
      const r = component[i + 1];
      for (const key of new Set([...ref.keys(), ...db.keys()])) {
        if (ref.get(key) === db.get(key)) continue;
        if (reported++ >= MAX_REPORTED_LSDB_DIFFERENCES) return;
        problems.push(`${key}: ${name(component[0])} has ${ref.get(key) ?? 'nothing'}, ${name(r)} has ${db.get(key) ?? 'nothing'}`);
      }
    });
    if (reported > MAX_REPORTED_LSDB_DIFFERENCES) problems.push(`… and ${reported - MAX_REPORTED_LSDB_DIFFERENCES} more LSDB differences`);
  }
  return problems;
}

/**
 * Running routers grouped by reachability over working links, each group in
 * index order. A broadcast segment with no eligible router forms no
 * adjacencies (RFC 2328 9.4), so it joins nothing.
 */
export function components(sim: Simulator): number[][] {
  const parent = Array.from({ length: sim.routerCount }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const segment of sim.topology.segments) {
    const members = segment.attachments.filter((a) => sim.linkWorks(segment.id, a.router));
    if (segment.kind === 'broadcast' && !members.some((a) => a.priority > 0)) continue;
    for (let i = 1; i < members.length; i++) parent[find(members[i].router)] = find(members[0].router);
  }
  const groups = new Map<number, number[]>();
  for (let r = 0; r < sim.routerCount; r++) {
    if (!sim.isRunning(r)) continue;
    const root = find(r);
    groups.set(root, [...(groups.get(root) ?? []), r]);
  }
  return [...groups.values()].sort((a, b) => a[0] - b[0]);
}

/** Every running router's interfaces and neighbors in one line each, and the latest core events, for failure reports. */
export function describeState(sim: Simulator, recentEvents = 40): string {
  const lines: string[] = [`seed ${sim.seed}, at ${sim.now} ms`];
  for (let r = 0; r < sim.routerCount; r++) {
    const core = sim.core(r);
    const spec = sim.topology.routers[r];
    if (core === undefined) {
      lines.push(`${spec.name}: stopped`);
      continue;
    }
    const ifs = core
      .interfaces()
      .map((i) => `${i.name}:${i.state}${i.dr ? ` dr ${formatIpv4(i.dr)}` : ''}`)
      .join(', ');
    const nbrs = core
      .neighbors()
      .map((n) => `${n.ifName}/${formatIpv4(n.routerId)}:${n.state} rxmt ${n.retransmitCount} req ${n.requestCount}`)
      .join(', ');
    lines.push(`${spec.name} (${formatIpv4(spec.routerId)}): ${ifs} | ${nbrs} | ${core.lsdb(sim.now).length} LSAs`);
  }
  const events = sim.recentEvents().slice(-recentEvents);
  for (const e of events) lines.push(`  ${e.now} ms ${e.router}: ${JSON.stringify(e.event)}`);
  return lines.join('\n');
}

/**
 * What each running router originates matches its adjacencies and
 * configuration, read from its own LSDB: its router-LSA has one
 * point-to-point link per Full point-to-point neighbor, one transit link per
 * broadcast segment where it is Full with the DR or is the DR with a Full
 * neighbor, and a host stub for its loopback (RFC 2328 12.4.1); as DR with a
 * Full neighbor it has a network-LSA listing itself and exactly its Full
 * neighbors, and no network-LSA anywhere else (12.4.2); its AS-external-LSAs
 * are exactly its configured externals (12.4.4).
 */
export function checkOrigination(sim: Simulator): string[] {
  const problems: string[] = [];
  for (let r = 0; r < sim.routerCount; r++) {
    const core = sim.core(r);
    if (core === undefined) continue;
    const spec = sim.topology.routers[r];
    const rid = spec.routerId;
    const interfaces = new Map(core.interfaces().map((i) => [i.name, i]));
    const neighbors = core.neighbors();
    const fullOn = (ifName: string): NeighborView[] => neighbors.filter((n) => n.ifName === ifName && n.state === 'Full');

    const p2pPeers: number[] = [];
    const transit: number[] = [];
    const networks = new Map<number, number[]>(); // own address → expected attached routers
    for (const segment of sim.topology.segments) {
      for (const a of segment.attachments) {
        if (a.router !== r || !sim.linkWorks(segment.id, r)) continue;
        const full = fullOn(a.ifName);
        if (segment.kind === 'point-to-point') {
          p2pPeers.push(...full.map((n) => n.routerId));
          continue;
        }
        const view = interfaces.get(a.ifName);
        if (view === undefined || view.dr === 0) continue;
        const isDr = view.dr === a.address;
        if (isDr && full.length > 0) {
          transit.push(view.dr);
          networks.set(a.address, [rid, ...full.map((n) => n.routerId)].sort((x, y) => x - y));
        } else if (!isDr && full.some((n) => n.address === view.dr)) {
          transit.push(view.dr);
        }
      }
    }

    const own = core.lsdb(sim.now).filter((h) => h.advRouter === rid && h.age < MAX_AGE);
    const routerLsa = core.lsa({ type: LsaType.Router, lsId: rid, advRouter: rid }, sim.now);
    if (routerLsa === undefined || routerLsa.age >= MAX_AGE) {
      problems.push(`${spec.name}: no router-LSA of its own`);
    } else {
      const body = decodeLsaBody(routerLsa);
      if (body.kind === 'router') {
        const linkIds = (type: number): number[] =>
          body.links
            .filter((l) => l.type === type)
            .map((l) => l.linkId)
            .sort((x, y) => x - y);
        const want = (list: number[]): string => list.sort((x, y) => x - y).map(formatIpv4).join(' ') || 'none';
        if (want(linkIds(RouterLinkType.PointToPoint)) !== want(p2pPeers)) {
          problems.push(`${spec.name}: router-LSA point-to-point links to ${want(linkIds(RouterLinkType.PointToPoint))}, Full neighbors ${want(p2pPeers)}`);
        }
        if (want(linkIds(RouterLinkType.Transit)) !== want(transit)) {
          problems.push(`${spec.name}: router-LSA transit links to ${want(linkIds(RouterLinkType.Transit))}, expected ${want(transit)}`);
        }
        if (!body.links.some((l) => l.type === RouterLinkType.Stub && l.linkId === spec.loopback && l.linkData === 0xffffffff)) {
          problems.push(`${spec.name}: router-LSA has no host stub for its loopback ${formatIpv4(spec.loopback)}`);
        }
      } else {
        problems.push(`${spec.name}: its router-LSA does not decode as one`);
      }
    }

    for (const h of own.filter((x) => x.type === LsaType.Network)) {
      if (!networks.has(h.lsId)) problems.push(`${spec.name}: network-LSA ${formatIpv4(h.lsId)} but it is not DR with a Full neighbor there`);
    }
    for (const [address, attached] of networks) {
      const lsa = core.lsa({ type: LsaType.Network, lsId: address, advRouter: rid }, sim.now);
      const body = lsa !== undefined && lsa.age < MAX_AGE ? decodeLsaBody(lsa) : undefined;
      if (body?.kind !== 'network') {
        problems.push(`${spec.name}: DR on ${formatIpv4(address)} with Full neighbors but no network-LSA`);
        continue;
      }
      const listed = [...body.attachedRouters].sort((x, y) => x - y);
      if (listed.join() !== attached.join()) {
        problems.push(`${spec.name}: network-LSA ${formatIpv4(address)} lists ${listed.map(formatIpv4).join(' ')}, expected ${attached.map(formatIpv4).join(' ')}`);
      }
    }

    const externals = own
      .filter((h) => h.type === LsaType.AsExternal)
      .map((h) => formatIpv4(h.lsId))
      .sort();
    const configured = sim
      .config(r)
      .externals.map((e) => formatIpv4(e.prefix.address))
      .sort();
    if (externals.join() !== configured.join()) {
      problems.push(
        `${spec.name}: AS-external-LSAs for ${externals.join(' ') || 'none'}, configured ${sim.config(r).externals.map((e) => formatPrefix(e.prefix)).join(' ') || 'none'}`,
      );
    }
  }
  return problems;
}
