// The namespace harness itself (test/helpers/netns.ts): what it builds is
// there, commands fail with a typed error, children answer over JSON lines,
// and teardown removes everything.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { canRunNamespaces, NetnsCommandError, NetnsLab, namespaceGate } from '../helpers/netns.js';

const gate = namespaceGate('namespace harness tests');
const namespaces = (): string[] => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((line) => line.split(' ')[0] ?? '');

describe('canRunNamespaces', () => {
  it('answers with a reason whenever it says no', () => {
    const check = canRunNamespaces();
    expect(check.ok || (typeof check.reason === 'string' && check.reason.length > 0)).toBe(true);
  });
});

describe.skipIf(gate.skip)('NetnsLab', () => {
  it('builds namespaces, a veth pair, a bridge and addresses, and tears them down', async () => {
    const lab = new NetnsLab('hx');
    try {
      const x = lab.namespace('x');
      const y = lab.namespace('y');
      expect(x.startsWith(lab.prefix)).toBe(true);
      lab.veth(x, 'p0', y, 'q0');
      lab.veth(y, 'q1', y, 'q2');
      lab.bridge(y, 'br0', ['q0', 'q1']);
      lab.address(x, 'p0', '10.66.0.1/24');
      lab.address(y, 'br0', '10.66.0.2/24');
      lab.up(x, 'p0');
      const links = lab.ipJson<{ ifname: string; master?: string }[]>(y, ['link', 'show']);
      expect(links.filter((l) => l.master === 'br0').map((l) => l.ifname).sort()).toEqual(['q0', 'q1']);
      const br = lab.ipJson<{ addr_info: { local: string; prefixlen: number }[] }[]>(y, ['addr', 'show', 'dev', 'br0']);
      expect(br[0]?.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toContain('10.66.0.2/24');
      const p0 = lab.ipJson<{ flags: string[] }[]>(x, ['link', 'show', 'dev', 'p0']);
      expect(p0[0]?.flags).toContain('UP');
      expect(namespaces()).toEqual(expect.arrayContaining([x, y]));
    } finally {
      await lab.teardown();
    }
    expect(namespaces().filter((name) => name.startsWith(lab.prefix))).toEqual([]);
  });

  it('reports a failing command as NetnsCommandError with its stderr', async () => {
    const lab = new NetnsLab('hy');
    try {
      const x = lab.namespace('x');
      expect(() => lab.exec(x, 'ip', ['link', 'set', 'nosuchdev', 'up'])).toThrow(NetnsCommandError);
      expect(() => lab.exec(x, 'ip', ['link', 'set', 'nosuchdev', 'up'])).toThrow(/nosuchdev/);
    } finally {
      await lab.teardown();
    }
  });

  it('talks to a child over JSON lines and kills it at teardown', async () => {
    const lab = new NetnsLab('hz');
    const x = lab.namespace('x');
    const echo = `process.stdin.setEncoding('utf8');
      let buf = '';
      process.stdin.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\\n')) >= 0) { const req = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1);
        process.stdout.write(JSON.stringify({ id: req.id, ok: true, echo: req.value }) + '\\n'); } });
      process.stdout.write(JSON.stringify({ event: 'ready' }) + '\\n');
      setInterval(() => {}, 1000);`;
    const child = lab.spawnJson(x, process.execPath, ['-e', echo]);
    try {
      await child.waitForEvent((m) => m.event === 'ready', 10_000);
      expect((await child.request('echo', { value: 42 })).echo).toBe(42);
    } finally {
      await lab.teardown();
    }
    expect(child.child.exitCode !== null || child.child.signalCode !== null).toBe(true);
  });
});
