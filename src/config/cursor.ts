// Reads the words of one configuration line and reports what is wrong with
// them. The first problem on a line is recorded as a ConfigIssue and ends
// that line (LineAbort); the parser then carries on with the next line, so a
// file's errors are all reported together.

import type { Prefix } from '../lib/ipv4.js';
import { readIpv4, readPrefix } from './address.js';
import type { ConfigIssue } from './errors.js';
import type { Line, Word } from './lexer.js';

/** Ends the parse of the current line after its issue was recorded; caught by the parser loop only. */
export class LineAbort extends Error {
  override name = 'LineAbort';
}

export class Cursor {
  /** Index of the next word to read. */
  pos = 0;

  constructor(
    readonly file: string,
    readonly line: Line,
    private readonly issues: ConfigIssue[],
  ) {}

  peek(offset = 0): string | undefined {
    return this.line.words[this.pos + offset]?.text;
  }

  next(): Word | undefined {
    const word = this.line.words[this.pos];
    if (word !== undefined) this.pos++;
    return word;
  }

  atEnd(): boolean {
    return this.pos >= this.line.words.length;
  }

  /** The first `count` words of the line, as written with single spaces. */
  phrase(count = this.pos): string {
    return this.line.words
      .slice(0, count)
      .map((w) => w.text)
      .join(' ');
  }

  /** Records an issue at `word` (or at the end of the line when undefined) and ends the line. */
  fail(word: Word | undefined, message: string): never {
    this.record(word, message);
    throw new LineAbort(message);
  }

  /** Records an issue without ending the line (checks made after the whole line was read). */
  record(word: Word | undefined, message: string): void {
    const column = word?.column ?? this.line.raw.trimEnd().length + 1;
    this.issues.push({ file: this.file, line: this.line.number, column, word: word?.text ?? '', message });
  }

  /** The word at the cursor is not a command here: report the command so far, with a suggestion. */
  unknown(alternatives: readonly string[]): never {
    const first = this.line.words[0] as Word;
    const phrase = this.phrase(this.pos + 1);
    const typed = this.peek() ?? '';
    const guess = suggest(typed, alternatives);
    const before = this.phrase(this.pos);
    const hint = guess === undefined ? '' : ` (did you mean "${before === '' ? guess : `${before} ${guess}`}"?)`;
    this.record({ text: phrase, column: first.column }, `unknown command "${phrase}"${hint}`);
    throw new LineAbort(phrase);
  }

  /** A known FRR command this project deliberately does not implement. */
  unsupported(why: string): never {
    const first = this.line.words[0] as Word;
    const phrase = this.phrase(Math.max(this.pos, 1));
    this.record({ text: phrase, column: first.column }, `not supported: "${phrase}": ${why}`);
    throw new LineAbort(phrase);
  }

  /** The next word, which must exist. */
  need(what: string): Word {
    const word = this.next();
    if (word === undefined) this.fail(undefined, `missing ${what} after "${this.phrase()}"`);
    return word;
  }

  /** The line must end here. */
  end(): void {
    const word = this.line.words[this.pos];
    if (word !== undefined) this.fail(word, `unexpected "${word.text}" after "${this.phrase()}"`);
  }

  /** A decimal integer in [min, max]. */
  int(what: string, min: number, max: number): number {
    const word = this.need(`${what} (${min}-${max})`);
    return this.intOf(word, what, min, max);
  }

  intOf(word: Word, what: string, min: number, max: number): number {
    if (!/^\d+$/.test(word.text)) this.fail(word, `"${word.text}" is not a number: expected ${what} (${min}-${max})`);
    const value = Number(word.text);
    if (value < min || value > max) this.fail(word, `${word.text} is out of range for ${what} (expected ${min}-${max})`);
    return value;
  }

  /** One of `choices`. */
  keyword<const T extends string>(choices: readonly T[], what: string): T {
    const word = this.need(`${what} (${choices.join('|')})`);
    if (!(choices as readonly string[]).includes(word.text)) {
      this.fail(word, `"${word.text}" is not valid here: expected ${what} (${choices.join('|')})`);
    }
    return word.text as T;
  }

  ipv4(what: string): number {
    const word = this.need(what);
    return this.ipv4Of(word, what);
  }

  ipv4Of(word: Word, what: string): number {
    const read = readIpv4(word.text);
    if (!read.ok) this.fail(word, `"${word.text}" is not an IPv4 address: ${read.problem}; expected ${what}`);
    return read.value;
  }

  /** A.B.C.D/M; host bits are cleared when allowHostBits, refused otherwise. */
  prefix(what: string, allowHostBits: boolean): Prefix {
    const word = this.need(`${what} (A.B.C.D/M)`);
    const read = readPrefix(word.text, allowHostBits);
    if (!read.ok) this.fail(word, `"${word.text}" is not a valid ${what}: ${read.problem}`);
    return read.value;
  }

  /** A Linux interface name: 1-15 characters (IFNAMSIZ), no "/", ":" or blanks, not "." or "..". */
  ifName(what = 'interface name'): string {
    const word = this.need(what);
    return this.ifNameOf(word);
  }

  ifNameOf(word: Word): string {
    const name = word.text;
    if (name.length > 15 || /[/:]/.test(name) || name === '.' || name === '..' || name === '__proto__') {
      this.fail(word, `"${name}" is not a valid interface name (at most 15 characters, no "/" or ":")`);
    }
    return name;
  }

  /** An OSPF area id: A.B.C.D or a decimal 0..4294967295 (RFC 2328 C.2). */
  area(): number {
    const word = this.need('area id (A.B.C.D or 0-4294967295)');
    if (/^\d+$/.test(word.text)) return this.intOf(word, 'area id', 0, 4294967295);
    return this.ipv4Of(word, 'area id (A.B.C.D or 0-4294967295)');
  }

  /** The raw text from the next word to the end of the line (trailing blanks removed), consuming it. */
  rest(what: string): string {
    const word = this.need(what);
    this.pos = this.line.words.length;
    return this.line.raw.slice(word.column - 1).trimEnd();
  }
}

/** The alternative closest to `typed` (a prefix of it, or within two edits), if any is close. */
function suggest(typed: string, alternatives: readonly string[]): string | undefined {
  let best: string | undefined;
  // Short words get no guesses: "ip" is two edits from "no" but not a typo of it.
  let bestDistance = Math.min(2, Math.floor(typed.length / 4)) + 1;
  for (const alt of alternatives) {
    const d = alt.startsWith(typed) && typed.length >= 3 ? 0 : editDistance(typed, alt);
    if (d < bestDistance) {
      best = alt;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = row;
  }
  return prev[b.length] as number;
}
