// peerGate: a test whose peers are missing skips with a reason, except under
// CI=true, where the missing peer is an error that names it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MissingPeerError, missing, peerGate } from './gates.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('peerGate', () => {
  it('runs a test whose peers are installed', () => {
    vi.stubEnv('CI', 'true');
    expect(peerGate('a test', missing([process.execPath]))).toEqual({ skip: false });
  });

  it('skips with a printed reason outside CI', () => {
    vi.stubEnv('CI', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(peerGate('the Kamailio test', missing(['/nonexistent/kamailio', process.execPath]))).toEqual({ skip: true, reason: 'not installed: /nonexistent/kamailio' });
    expect(warn).toHaveBeenCalledWith('skipping the Kamailio test: not installed: /nonexistent/kamailio');
  });

  it('fails under CI=true, naming what is missing', () => {
    vi.stubEnv('CI', 'true');
    expect(() => peerGate('the Kamailio test', ['/nonexistent/kamailio'])).toThrow(MissingPeerError);
    expect(() => peerGate('the Kamailio test', ['/nonexistent/kamailio'])).toThrow(
      'the Kamailio test: not installed: /nonexistent/kamailio; under CI=true every peer must be installed (.ci/run installs them)',
    );
  });
});
