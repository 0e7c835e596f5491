// npm run demo: the lab's story in the simulator, no root needed. Each act
// must leave the router with the next hops the story says.
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/lab/demo.js';

describe('npm run demo', () => {
  it('tells the failover story in virtual time', () => {
    const { acts } = runDemo(false);
    const hops = Object.fromEntries(acts.map((a) => [a.act, a.nextHops]));
    expect(hops.up).toEqual(['10.1.0.2', '10.1.0.3', '10.1.0.4']);
    expect(hops.withdraw).toEqual(['10.1.0.2', '10.1.0.4']);
    expect(hops.announce).toEqual(['10.1.0.2', '10.1.0.3', '10.1.0.4']);
    // Maximum cost: node 3 is no longer an equal-cost path.
    expect(hops['max-cost']).toEqual(['10.1.0.2', '10.1.0.3']);
    expect(hops['node 3 dead']).toEqual(['10.1.0.2', '10.1.0.3']);
  });

  it("gets a withdrawal into the router's table without waiting out MinLSInterval", () => {
    // One link delay, the flood and the SPF: well under the RFC's 5 s MinLSInterval.
    expect(runDemo(false).withdrawMs).toBeLessThan(200);
  });

  it('is the same run every time', () => {
    expect(runDemo(false)).toEqual(runDemo(false));
  });
});
