// The shape of the source tree that keeps it readable (issue "The shape BIRD
// and holo would recognise"): files that do one thing, no import circle, the
// engine with one way out, and the kernel reached from src/io alone.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'src');
/** "About 600 lines": a file past this has grown a second purpose. */
const MaxLines = 600;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const files = sources(src);
const text = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
const name = (f: string): string => relative(src, f);

/** Module specifiers a file imports or re-exports, type-only ones included. */
function specifiers(code: string): string[] {
  const found: string[] = [];
  const pattern = /^\s*(?:import|export)\b[^'";]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;
  for (let m = pattern.exec(code); m !== null; m = pattern.exec(code)) found.push((m[1] ?? m[2]) as string);
  return found;
}

/** The project's own files a file imports. */
function localImports(file: string): string[] {
  return specifiers(text.get(file) as string)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')))
    .filter((f) => text.has(f));
}

/** What a file loads when it runs: every import but the type-only declarations, which the compiler drops (verbatimModuleSyntax). */
function runtimeSpecifiers(code: string): string[] {
  const found: string[] = [];
  const pattern = /^\s*(?:import|export)(?!\s+type\b)[^'";]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;
  for (let m = pattern.exec(code); m !== null; m = pattern.exec(code)) found.push((m[1] ?? m[2]) as string);
  return found;
}

/** The files and packages a file loads at its start, through static imports (dynamic import() waits for its use). */
function loadedAtStart(entry: string): { files: Set<string>; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  for (let f = queue.pop(); f !== undefined; f = queue.pop()) {
    if (seen.has(f)) continue;
    seen.add(f);
    for (const s of runtimeSpecifiers(text.get(f) as string)) {
      if (!s.startsWith('.')) packages.add(s);
      else {
        const target = resolve(dirname(f), s.replace(/\.js$/, '.ts'));
        if (text.has(target)) queue.push(target);
      }
    }
  }
  return { files: new Set([...seen].map(name)), packages };
}

describe('source tree', () => {
  it('reads a non-trivial tree (the checks below cannot pass on nothing)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files.some((f) => name(f) === 'core/router.ts')).toBe(true);
  });

  it(`has no source file over ${MaxLines} lines`, () => {
    const long = files
      .map((f) => ({ file: name(f), lines: (text.get(f) as string).split('\n').length - 1 }))
      .filter((f) => f.lines > MaxLines);
    expect(long).toEqual([]);
  });

  it('has no import circle, type-only imports included', () => {
    const graph = new Map(files.map((f) => [f, localImports(f)]));
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        circles.push([...path.slice(path.indexOf(f)), f].map(name).join(' > '));
        return;
      }
      state.set(f, 'open');
      for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(circles).toEqual([]);
  });

  it('keeps the engine sans-IO with one way out: core, instance, packet and spf import no emitter, no adapter and no Node module but the hashes', () => {
    // node:crypto's hashes are computation over bytes (RFC 2328 D.4.3 digests); its random source is not used.
    const allowed = (file: string, s: string): boolean => s === 'node:crypto' && /\bcreate(Hash|Hmac)\b/.test(text.get(file) as string) && !/random/i.test(text.get(file) as string);
    const offending = files
      .filter((f) => /^(core|instance|packet|spf)\//.test(name(f)))
      .flatMap((f) =>
        specifiers(text.get(f) as string)
          .filter((s) => s === 'eventemitter3' || s.startsWith('node:') || /\/(io|daemon|multipath|anycast|control|cli)\//.test(s))
          .filter((s) => !allowed(f, s))
          .map((s) => `${name(f)} imports ${s}`),
      );
    expect(offending).toEqual([]);
  });

  it('reaches the kernel from src/io alone: the netlink package is imported only through src/io/netlink-package.ts', () => {
    const users = files.filter((f) => specifiers(text.get(f) as string).some((s) => s === 'netlink' || s.startsWith('netlink/'))).map(name);
    expect(users).toEqual(['io/netlink-package.ts']);
  });

  it('starts the daemon without the announcer, the health checks, HTTP, TLS or UDP: they load when the configuration uses them', () => {
    const { files: loaded, packages } = loadedAtStart(join(src, 'bin/ospf-anycastd.ts'));
    // The walk reaches the engine and the kernel layer: an empty walk cannot pass.
    expect(loaded.has('core/router.ts') && loaded.has('io/netlink.ts')).toBe(true);
    expect([...loaded].filter((f) => /^anycast\/(announcer|supervisor|checks\/)/.test(f))).toEqual([]);
    expect([...packages].filter((p) => ['node:http', 'node:https', 'node:tls', 'node:dgram'].includes(p))).toEqual([]);
  });
});
