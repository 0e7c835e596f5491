// NexthopCounts: the next hops of one route counted from `ip monitor route`
// output as FRR (nexthop groups) and BIRD (plain multipath) leave it, split
// into pieces anywhere, so that the ECMP tests can say the set never shrank.
import { describe, expect, it } from 'vitest';
import { NexthopCounts } from './route-watch.js';

const THREE = '10.206.206.1 nhid 40 proto ospf metric 20 \n\tnexthop via 10.205.205.11 dev lan0 weight 1 \n\tnexthop via 10.205.205.12 dev lan0 weight 1 \n\tnexthop via 10.205.205.13 dev lan0 weight 1 \n';
const TWO = '10.206.206.1 proto bird metric 32 \n\tnexthop via 10.205.205.12 dev lan0 weight 1 \n\tnexthop via 10.205.205.13 dev lan0 weight 1 \n';

describe('NexthopCounts', () => {
  it('counts the nexthop lines of a multipath notification, and the time spent below a count', () => {
    const c = new NexthopCounts('10.206.206.1', 3, 1000);
    c.feed(TWO, 1100);
    c.feed(THREE, 1500);
    expect(c.history()).toEqual([
      { at: 1000, count: 3 },
      { at: 1100, count: 2 },
      { at: 1500, count: 3 },
    ]);
    expect(c.fewest()).toBe(2);
    expect(c.msBelow(3, 2000)).toBe(400);
  });

  it('takes a notification split inside its lines, a single next hop, a deletion, and an interval still open', () => {
    const c = new NexthopCounts('10.206.206.1', 3, 0);
    c.feed(TWO.slice(0, 50), 10);
    c.feed(TWO.slice(50), 11);
    c.feed('10.206.206.1 via 10.205.205.13 dev lan0 proto ospf metric 20 \n', 20);
    c.feed('Deleted 10.206.206.1 via 10.205.205.13 dev lan0 proto ospf metric 20 \n', 30);
    expect(c.history().map((h) => h.count)).toEqual([3, 2, 1, 0]);
    expect(c.msBelow(3, 100)).toBe(90);
  });

  it('ignores other prefixes, their next hops, and other tables', () => {
    const c = new NexthopCounts('10.206.206.1', 3, 0);
    c.feed('10.204.204.0/24 proto ospf metric 20 \n\tnexthop via 10.205.205.11 dev lan0 weight 1 \n', 10);
    c.feed('Deleted 10.206.206.1 via 10.205.205.11 dev lan0 table 1881 proto ospf \n', 20);
    expect(c.history()).toEqual([{ at: 0, count: 3 }]);
    expect(c.msBelow(3, 100)).toBe(0);
  });
});
