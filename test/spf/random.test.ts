// Property tests: on thousands of random areas the optimised Spf — full runs,
// and partial runs after random stub, summary and external changes — gives
// exactly the reference calculation's table, ECMP next-hop sets included,
// and reports exactly the differences between consecutive tables.
// Areas 1–1000 as regressions and fresh ones on every run (test/helpers/seeds.ts);
// reproduce a failure with SEED=<seed> (the seed is in the message).

import { describe, expect, it } from 'vitest';
import { createPrng, type Prng } from '../../src/lib/prng.js';
import { RouterFlags, RouterLinkType } from '../../src/packet/types.js';
import { maskFromLength, formatPrefix, formatIpv4 } from '../../src/lib/ipv4.js';
import { diffTables, Spf, type Route, type RouteChange } from '../../src/spf/index.js';
import { referenceRoutes } from './reference.js';
import {
  encodeModel,
  generateModel,
  keyString,
  LSInfinity,
  randomAsbrSummary,
  randomExternal,
  randomSummary,
  type Model,
} from './generate.js';
import { firstSeeds, replay, seeds } from '../helpers/seeds.js';

const sweep = seeds(firstSeeds(1000), 100);

function show(routes: readonly Route[]): string[] {
  return routes.map(
    (r) =>
      `${formatPrefix(r.prefix)} ${r.pathType} ${r.cost}/${r.type2Cost} via ${r.nextHops.map((h) => `${formatIpv4(h.address)}@${h.ifName}`).join(',')}`,
  );
}

function showChanges(changes: readonly RouteChange[]): string[] {
  return changes.map((c) => `${c.kind} ${formatPrefix(c.prefix)} ${c.kind === 'remove' ? '' : show([c.route])[0]}`);
}

type Encoded = ReturnType<typeof encodeModel>;

/** Feeds the Spf what differs between two encodings of the model. */
function feed(spf: Spf, before: Encoded, after: Encoded): void {
  for (const [k, { key, lsa }] of after) {
    const old = before.get(k);
    if (old === undefined || Buffer.compare(old.lsa.raw, lsa.raw) !== 0) expect(spf.lsaChanged(key, lsa.raw)).toBeUndefined();
  }
  for (const [k, { key }] of before) if (!after.has(k)) spf.lsaChanged(key, undefined);
}

type Mutation = 'stub' | 'summary' | 'asbr-summary' | 'external' | 'max-age' | 'refresh' | 'topology' | 'interface';

/** Changes the model; returns what kind of change it made. */
function mutate(prng: Prng, model: Model): Mutation {
  const kind = prng.pick<Mutation>(['stub', 'stub', 'summary', 'asbr-summary', 'external', 'external', 'max-age', 'refresh', 'topology', 'interface']);
  switch (kind) {
    case 'stub': {
      // The anycast case: a stub /32 appears or goes, or a stub's cost changes.
      const r = prng.pick(model.routers);
      const stubs = r.links.filter((l) => l.type === RouterLinkType.Stub);
      const roll = prng.int(0, 2);
      if (roll === 0 || stubs.length === 0) {
        const [address, length] = prng.pick(model.prefixes);
        r.links.push({ linkId: address, linkData: maskFromLength(length), type: RouterLinkType.Stub, metric: prng.int(1, 6), tos: [] });
      } else if (roll === 1) {
        r.links.splice(r.links.indexOf(prng.pick(stubs)), 1);
      } else {
        prng.pick(stubs).metric = prng.int(1, 6);
      }
      break;
    }
    case 'summary':
    case 'asbr-summary': {
      const type = kind === 'summary' ? 3 : 4;
      const mine = model.summaries.filter((s) => s.type === type);
      const roll = prng.int(0, 2);
      if (roll === 0 || mine.length === 0) model.summaries.push(type === 3 ? randomSummary(prng, model) : randomAsbrSummary(prng, model));
      else if (roll === 1) model.summaries.splice(model.summaries.indexOf(prng.pick(mine)), 1);
      else prng.pick(mine).metric = prng.chance(0.1) ? LSInfinity : prng.int(1, 20);
      break;
    }
    case 'external': {
      const roll = prng.int(0, 3);
      if (roll === 0 || model.externals.length === 0) model.externals.push(randomExternal(prng, model));
      else if (roll === 1) model.externals.splice(prng.int(0, model.externals.length - 1), 1);
      else if (roll === 2) prng.pick(model.externals).metric = prng.int(1, 20);
      else {
        const x = prng.pick(model.externals);
        x.e2 = !x.e2;
        x.forwardingAddress = prng.chance(0.5) ? 0 : randomExternal(prng, model).forwardingAddress;
      }
      break;
    }
    case 'max-age': {
      // RFC 2328 16: an LSA at MaxAge is as good as gone.
      const candidates = [
        ...model.summaries.map((s) => keyString({ type: s.type, lsId: s.lsId, advRouter: s.advRouter })),
        ...model.externals.map((x) => keyString({ type: 5, lsId: x.lsId, advRouter: x.advRouter })),
      ];
      if (candidates.length > 0) model.maxAged.add(prng.pick(candidates));
      break;
    }
    case 'refresh':
      break;
    case 'topology': {
      // Always a real change to a link, a router, its flags or an active network-LSA.
      const r = prng.pick(model.routers);
      const links = r.links.filter((l) => l.type !== RouterLinkType.Stub);
      // The network-LSA in use for each Link State ID is the lowest advertising router's.
      const active = model.networks.filter(
        (n) => n.attached.length > 1 && !model.networks.some((m) => m.lsId === n.lsId && m.advRouter < n.advRouter),
      );
      const roll = prng.int(0, 3);
      if (roll === 0 && links.length > 0) {
        const link = prng.pick(links);
        link.metric = (link.metric % 6) + 1;
      } else if (roll === 1 && r.id !== model.rootId) model.routers.splice(model.routers.indexOf(r), 1);
      else if (roll === 3 && active.length > 0) {
        const n = prng.pick(active);
        n.attached.splice(prng.int(0, n.attached.length - 1), 1);
      } else r.flags ^= prng.pick([RouterFlags.B, RouterFlags.E]);
      break;
    }
    case 'interface':
      if (model.interfaces.length > 0) {
        const i = prng.pick(model.interfaces);
        i.up = !i.up;
      }
      break;
  }
  return kind;
}

interface Coverage {
  runs: Record<string, number>;
  pathTypes: Record<string, number>;
  ecmp: number;
}

function checkSeed(seed: number, coverage: Coverage): void {
  const prng = createPrng(seed);
  const model = generateModel(prng);
  const maximumPaths = prng.chance(0.2) ? prng.int(1, 3) : 64;
  const spf = new Spf({ routerId: model.rootId, areaId: 0, maximumPaths });
  spf.setInterfaces(model.interfaces);
  let encoded = encodeModel(model);
  feed(spf, new Map(), encoded);
  let expected = referenceRoutes([...encoded.values()].map((e) => e.lsa), model.rootId, model.interfaces, maximumPaths);
  let result = spf.calculate();
  expect(result.kind).toBe('full');
  expect(show(result.table.routes())).toEqual(show(expected));
  expect(showChanges(result.changes)).toEqual(showChanges(diffTables([], expected)));
  for (let round = 0; round < 6; round++) {
    // One change, or now and then several before one calculation.
    const mutations = [mutate(prng, model)];
    while (prng.chance(0.3)) mutations.push(mutate(prng, model));
    const seq = mutations.includes('refresh') ? -0x7fffffff + round + 1 : -0x7fffffff;
    const next = encodeModel(model, seq);
    if (mutations.includes('interface')) spf.setInterfaces(model.interfaces);
    feed(spf, encoded, next);
    encoded = next;
    const previous = expected;
    expected = referenceRoutes([...encoded.values()].map((e) => e.lsa), model.rootId, model.interfaces, maximumPaths);
    result = spf.calculate();
    const context = `round ${round} after changes: ${mutations.join(', ')}`;
    if (mutations.includes('topology') || mutations.includes('interface')) expect(result.kind, context).not.toBe('partial');
    else expect(result.kind, context).not.toBe('full');
    if (mutations.every((m) => m === 'refresh')) expect(result.kind, context).toBe('none');
    expect(show(result.table.routes()), context).toEqual(show(expected));
    expect(result.table.size, context).toBe(expected.length);
    expect(showChanges(result.changes), context).toEqual(showChanges(diffTables(previous, expected)));
    coverage.runs[result.kind] = (coverage.runs[result.kind] ?? 0) + 1;
    for (const route of expected) coverage.pathTypes[route.pathType] = (coverage.pathTypes[route.pathType] ?? 0) + 1;
    coverage.ecmp += expected.filter((r) => r.nextHops.length > 1).length;
  }
}

describe('Spf against the reference calculation', () => {
  it(`matches on ${sweep.length} random areas, full and partial runs alike`, () => {
    const coverage: Coverage = { runs: {}, pathTypes: {}, ecmp: 0 };
    for (const seed of sweep) {
      try {
        checkSeed(seed, coverage);
      } catch (error) {
        throw new Error(`seed ${seed} (rerun with ${replay(seed)}): ${(error as Error).message}`, { cause: error });
      }
    }
    // The sweep must have exercised every kind of run and route, ECMP included,
    // so that a generator change that stops producing one is noticed.
    if (sweep.length >= 100) {
      for (const kind of ['full', 'partial', 'none']) expect(coverage.runs[kind], kind).toBeGreaterThan(sweep.length / 10);
      for (const type of ['intra-area', 'inter-area', 'external-1', 'external-2']) {
        expect(coverage.pathTypes[type], type).toBeGreaterThan(sweep.length / 10);
      }
      expect(coverage.ecmp).toBeGreaterThan(sweep.length / 10);
    }
  });
});
