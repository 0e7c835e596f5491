import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args.js';
import { DefaultControlSocket } from '../../src/control/protocol.js';

describe('ospf-anycast argument parsing', () => {
  it('parses the show commands with the default socket', () => {
    expect(parseArgs(['show', 'ospf'])).toEqual({ socket: DefaultControlSocket, json: false, command: { kind: 'show', what: 'ospf' } });
    expect(parseArgs(['--json', 'show', 'neighbors']).json).toBe(true);
    expect(parseArgs(['show', 'routes', '--socket', '/tmp/x.sock']).socket).toBe('/tmp/x.sock');
    expect(parseArgs(['--socket=/tmp/y.sock', 'show', 'anycast']).socket).toBe('/tmp/y.sock');
  });

  it('parses show database with an optional type and link state id', () => {
    expect(parseArgs(['show', 'database']).command).toEqual({ kind: 'show', what: 'database', type: undefined, lsId: undefined });
    expect(parseArgs(['show', 'database', 'router', '10.0.0.1']).command).toEqual({
      kind: 'show',
      what: 'database',
      type: 'router',
      lsId: '10.0.0.1',
    });
  });

  it('parses stop, with and without the proxy', () => {
    expect(parseArgs(['stop']).command).toEqual({ kind: 'stop', withProxy: false });
    expect(parseArgs(['stop', '--with-proxy']).command).toEqual({ kind: 'stop', withProxy: true });
    expect(parseArgs(['--with-proxy', 'stop']).command).toEqual({ kind: 'stop', withProxy: true });
  });

  it('parses drain, undrain and reload', () => {
    expect(parseArgs(['drain']).command).toEqual({ kind: 'drain', prefix: undefined, timeoutSec: 30 });
    expect(parseArgs(['drain', '10.206.206.1/32', '--timeout', '5']).command).toEqual({
      kind: 'drain',
      prefix: '10.206.206.1/32',
      timeoutSec: 5,
    });
    expect(parseArgs(['undrain', '10.206.206.1/32']).command).toEqual({ kind: 'undrain', prefix: '10.206.206.1/32', timeoutSec: 30 });
    expect(parseArgs(['reload']).command).toEqual({ kind: 'reload' });
    expect(parseArgs(['show', 'topology', '--dot']).command).toEqual({ kind: 'show', what: 'topology', dot: true });
  });

  const bad: [string[], RegExp][] = [
    [[], /no command/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['show'], /show what/],
    [['show', 'everything'], /cannot show "everything"/],
    [['show', 'ospf', 'extra'], /takes no arguments/],
    [['show', 'database', 'bogus'], /unknown LSA type "bogus"/],
    [['show', 'database', 'router', '10.0.0'], /IPv4 address/],
    [['show', 'topology'], /--dot/],
    [['show', 'routes', '--dot'], /--dot goes with/],
    [['drain', '10.206.206.1'], /missing \/len/],
    [['drain', '10.206.206.1/33'], /prefix length/],
    [['drain', 'a', 'b'], /at most one prefix/],
    [['drain', '--timeout', 'soon'], /--timeout takes seconds/],
    [['drain', '--timeout', '0'], /--timeout takes seconds/],
    [['show', 'ospf', '--timeout', '3'], /--timeout goes with "drain"/],
    [['reload', 'now'], /takes no arguments/],
    [['stop', 'now'], /stop takes no arguments besides --with-proxy, got "now"/],
    [['drain', '--with-proxy'], /--with-proxy goes with "stop"/],
    [['--socket'], /--socket needs a value/],
    [['--frob', 'show', 'ospf'], /unknown option "--frob"/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects "${argv.join(' ')}" with a usage error`, () => {
      expect(() => parseArgs(argv)).toThrow(UsageError);
      expect(() => parseArgs(argv)).toThrow(message);
    });
  }
});
