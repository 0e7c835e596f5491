// FRR 8.4's graceful restart statements under `router ospf`: restarting (RFC 3623 2) and helper (3) mode.
import { describe, expect, it } from 'vitest';
import { parseIpv4 } from '../../src/lib/ipv4.js';
import { formatConfig } from '../../src/config/index.js';
import { OSPF, issueOf, parse } from './helpers.js';

const helperOf = (lines: string): ReturnType<typeof parse>['ospf']['gracefulRestartHelper'] => parse(`${OSPF}${lines}`).ospf.gracefulRestartHelper;

describe('graceful-restart helper statements', () => {
  it('helps every neighbor by default, with strict LSA checking and grace periods up to 1800 s', () => {
    expect(helperOf('')).toEqual({ enabled: true, neighbors: [], strictLsaChecking: true, supportedGraceTime: 1800, plannedOnly: false });
  });

  it('takes every FRR 8.4 helper statement, with and without "no"', () => {
    const text = [
      ' no graceful-restart helper enable',
      ' graceful-restart helper enable 10.0.0.9',
      ' graceful-restart helper enable 10.0.0.8',
      ' no graceful-restart helper enable 10.0.0.8',
      ' no graceful-restart helper strict-lsa-checking',
      ' graceful-restart helper supported-grace-time 120',
      ' graceful-restart helper planned-only',
      '',
    ].join('\n');
    expect(helperOf(text)).toEqual({ enabled: false, neighbors: [parseIpv4('10.0.0.9')], strictLsaChecking: false, supportedGraceTime: 120, plannedOnly: true });
    expect(helperOf(`${text} no graceful-restart helper supported-grace-time 120\n no graceful-restart helper planned-only\n graceful-restart helper enable\n`)).toMatchObject({
      enabled: true,
      supportedGraceTime: 1800,
      plannedOnly: false,
    });
  });

  it('writes back what it read', () => {
    const cfg = parse(`${OSPF} no graceful-restart helper enable\n graceful-restart helper enable 10.0.0.9\n graceful-restart helper supported-grace-time 300\n`);
    expect(parse(formatConfig(cfg)).ospf.gracefulRestartHelper).toEqual(cfg.ospf.gracefulRestartHelper);
  });

  it('takes `capability opaque` and `ospf opaque-lsa` (always on), and refuses to turn opaque LSAs off', () => {
    expect(() => parse(`${OSPF} capability opaque\n ospf opaque-lsa\n`)).not.toThrow();
    expect(issueOf(`${OSPF} no capability opaque\n`).message).toMatch(/^not supported: .*cannot be turned off/);
  });

  it('refuses values out of range and unknown settings, by word', () => {
    expect(issueOf(`${OSPF} graceful-restart helper supported-grace-time 5\n`).message).toMatch(/5 is out of range for supported grace time/);
    expect(issueOf(`${OSPF} graceful-restart helper enable 300.1.1.1\n`).message).toMatch(/router id/);
    expect(issueOf(`${OSPF} graceful-restart helper sometimes\n`).message).toMatch(/sometimes/);
    expect(issueOf(`${OSPF} graceful-restart helper planned-only now\n`).message).toMatch(/now/);
  });
});

describe('graceful-restart [grace-period N] (restarting mode, RFC 3623 2)', () => {
  const restartOf = (lines: string): ReturnType<typeof parse>['ospf']['gracefulRestart'] => parse(`${OSPF}${lines}`).ospf.gracefulRestart;

  it('is off by default, 120 s as in FRR without grace-period, N s with it', () => {
    expect(restartOf('')).toBeUndefined();
    expect(restartOf(' graceful-restart\n')).toEqual({ gracePeriod: 120 });
    expect(restartOf(' graceful-restart grace-period 60\n')).toEqual({ gracePeriod: 60 });
  });

  it('is turned off by `no graceful-restart`, with or without the grace period', () => {
    expect(restartOf(' graceful-restart grace-period 60\n no graceful-restart\n')).toBeUndefined();
    expect(restartOf(' graceful-restart\n no graceful-restart grace-period 30\n')).toBeUndefined();
  });

  it('refuses grace periods outside 1..1800 and words after the number', () => {
    expect(issueOf(`${OSPF} graceful-restart grace-period 0\n`).message).toMatch(/0 is out of range for grace period/);
    expect(issueOf(`${OSPF} graceful-restart grace-period 1801\n`).message).toMatch(/1801 is out of range for grace period/);
    expect(issueOf(`${OSPF} graceful-restart grace-period\n`).message).toMatch(/grace period/);
    expect(issueOf(`${OSPF} graceful-restart grace-period 60 now\n`).message).toMatch(/now/);
  });

  it('writes back what it read', () => {
    const cfg = parse(`${OSPF} graceful-restart grace-period 90\n`);
    expect(formatConfig(cfg)).toMatch(/^ graceful-restart grace-period 90$/m);
    expect(parse(formatConfig(cfg)).ospf.gracefulRestart).toEqual({ gracePeriod: 90 });
  });
});
