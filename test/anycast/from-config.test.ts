// A parsed `anycast` block becomes Announcer options without loss.

import { describe, expect, it } from 'vitest';
import { Announcer } from '../../src/anycast/announcer.js';
import { anycastOptionsFromConfig } from '../../src/anycast/from-config.js';
import { parseConfig } from '../../src/config/index.js';
import { parsePrefix } from '../../src/lib/ipv4.js';

const CONFIG = `router ospf
 ospf router-id 10.0.0.1
 network 10.0.0.0/24 area 0
anycast 10.206.206.1/32
 check process /usr/sbin/kamailio -DD -E -f /etc/kamailio/kamailio.cfg
 check sip-options 10.206.206.1:5060 transport tcp interval 200 timeout 150 rise 3 fall 2 codes 200,4xx
 check http http://127.0.0.1:8080/health status 200-204
 maintenance-file /etc/ospf-anycast/drain
 on-failure max-cost
 announce-as external metric 100 metric-type 1
 min-interval 2000
 manage-address remove-on-withdraw
`;

describe('anycastOptionsFromConfig', () => {
  it('maps the Kamailio block field by field', () => {
    const [block] = parseConfig(CONFIG, 'test.conf').anycast;
    expect(block).toBeDefined();
    const options = anycastOptionsFromConfig(block!);
    expect(options).toMatchObject({
      prefix: parsePrefix('10.206.206.1/32'),
      maintenanceFile: '/etc/ospf-anycast/drain',
      onFailure: 'max-cost',
      announceAs: { kind: 'external', metric: 100, metricType: 1 },
      minIntervalMs: 2000,
      manageAddress: true,
      removeOnWithdraw: true,
      interface: 'lo',
    });
    expect(options.checks[0]).toEqual({ kind: 'process', command: ['/usr/sbin/kamailio', '-DD', '-E', '-f', '/etc/kamailio/kamailio.cfg'] });
    expect(options.checks[1]).toEqual({
      kind: 'sip-options',
      host: '10.206.206.1',
      port: 5060,
      transport: 'tcp',
      codes: [
        { min: 200, max: 200 },
        { min: 400, max: 499 },
      ],
      intervalMs: 200,
      timeoutMs: 150,
      rise: 3,
      fall: 2,
    });
    expect(options.checks[2]).toMatchObject({ kind: 'http', url: 'http://127.0.0.1:8080/health', status: [{ min: 200, max: 204 }] });
    // The announcer accepts the result as it is.
    const announcer = new Announcer({ prefixes: [options], advertise: () => undefined, addressManager: { add: async () => undefined, remove: async () => undefined } });
    expect(announcer.status()[0]).toMatchObject({ prefix: '10.206.206.1/32', state: 'withdrawn-by-health' });
  });
});
