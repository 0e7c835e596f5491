// Control requests as the daemon reads them off the wire: every command's
// arguments checked, addresses read with ip-address, and each mistake said
// in one line the CLI prints as it is.
import { describe, expect, it } from 'vitest';
import { readIpv4, readPrefix } from '../../src/control/addresses.js';
import { ControlRequestError, parseControlRequest } from '../../src/control/requests.js';
import { AddressParseError } from '../../src/lib/ipv4.js';

describe('control requests', () => {
  it('reads every command the CLI sends, in the wire shape it sends it', () => {
    expect(parseControlRequest('show', { what: 'ospf' })).toEqual({ command: 'show', args: { what: 'ospf' } });
    expect(parseControlRequest('show', { what: 'database', type: 'router', lsId: '10.0.0.1' })).toEqual({
      command: 'show',
      args: { what: 'database', type: 'router', lsId: '10.0.0.1' },
    });
    expect(parseControlRequest('show', { what: 'topology', dot: true })).toEqual({ command: 'show', args: { what: 'topology', dot: true } });
    expect(parseControlRequest('drain', { prefix: '10.206.206.1/32', timeoutMs: 5000 })).toEqual({
      command: 'drain',
      args: { prefix: '10.206.206.1/32', timeoutMs: 5000 },
    });
    expect(parseControlRequest('drain', {})).toEqual({ command: 'drain', args: {} });
    expect(parseControlRequest('undrain', { prefix: '10.206.206.1/32' })).toEqual({ command: 'undrain', args: { prefix: '10.206.206.1/32' } });
    expect(parseControlRequest('reload', {})).toEqual({ command: 'reload', args: {} });
    expect(parseControlRequest('stop', { stopProxies: true })).toEqual({ command: 'stop', args: { stopProxies: true } });
  });

  it.each([
    ['frobnicate', {}, 'unknown command "frobnicate"'],
    ['show', {}, 'cannot show "undefined"'],
    ['show', { what: 'everything' }, 'cannot show "everything"'],
    ['show', { what: 'database', type: 'bogus' }, 'unknown LSA type "bogus" (one of router, network, summary, asbr-summary, external)'],
    ['show', { what: 'database', lsId: '10.0.0' }, 'not an IPv4 address: "10.0.0"'],
    ['drain', { prefix: '10.206.206.1' }, 'not a prefix (missing /len): "10.206.206.1"'],
    ['drain', { prefix: '10.206.206.1/33' }, 'bad prefix length in "10.206.206.1/33"'],
    ['drain', { prefix: '10.206.206.0/24x' }, 'bad prefix length in "10.206.206.0/24x"'],
    ['drain', { prefix: 32 }, 'prefix must be a string'],
    ['drain', { timeoutMs: 'soon' }, 'timeoutMs must be a number'],
    ['undrain', { prefix: '10.206.206.1/24' }, 'host bits set in prefix "10.206.206.1/24"'],
    ['stop', { stopProxies: 'yes' }, 'stopProxies must be a boolean'],
  ] as const)('%s %j: %s', (command, args, message) => {
    expect(() => parseControlRequest(command, args)).toThrow(new ControlRequestError(message));
  });
});

describe('addresses typed by people', () => {
  it('reads an address and a prefix as the engine keeps them', () => {
    expect(readIpv4('10.0.0.1')).toBe(0x0a000001);
    expect(readIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(readPrefix('10.206.206.1/32')).toEqual({ address: 0x0acece01, length: 32 });
    expect(readPrefix('0.0.0.0/0')).toEqual({ address: 0, length: 0 });
  });

  it.each([
    ['10.0.0', /not an IPv4 address/],
    ['256.1.1.1', /not an IPv4 address/],
    ['010.0.0.1', /not an IPv4 address/],
    ['10.0.0.1/32', /not an IPv4 address/],
  ])('refuses the address %s', (text, message) => {
    expect(() => readIpv4(text)).toThrow(AddressParseError);
    expect(() => readIpv4(text)).toThrow(message);
  });

  it.each([
    ['10.206.206.1', /missing \/len/],
    ['10.206.206.1/', /bad prefix length/],
    ['10.206.206.1/01', /bad prefix length/],
    ['10.206.206.300/32', /not an IPv4 address/],
    ['10.206.207.0/23', /host bits set/],
  ])('refuses the prefix %s', (text, message) => {
    expect(() => readPrefix(text)).toThrow(AddressParseError);
    expect(() => readPrefix(text)).toThrow(message);
  });
});
