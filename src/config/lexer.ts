// Turns configuration text into lines of words with their columns, the way
// FRR's vty reads a file: whitespace separates words, a line whose first
// non-blank character is `!` or `#` is a comment, indentation carries no
// meaning. Commands (`check process`, `check exec`) get a shell-like split.

export interface Word {
  text: string;
  /** 1-based column of the word's first character. */
  column: number;
}

export interface Line {
  /** 1-based line number. */
  number: number;
  /** The line as written (without the line ending). */
  raw: string;
  words: Word[];
  /** Whether the line starts with whitespace. */
  indented: boolean;
}

/** The non-comment, non-blank lines of `text`. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const rawLines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < rawLines.length; i++) {
    const raw = rawLines[i] as string;
    const words: Word[] = [];
    const re = /\S+/g;
    for (let m = re.exec(raw); m !== null; m = re.exec(raw)) words.push({ text: m[0], column: m.index + 1 });
    const first = words[0];
    if (first === undefined || first.text.startsWith('!') || first.text.startsWith('#')) continue;
    lines.push({ number: i + 1, raw, words, indented: first.column > 1 });
  }
  return lines;
}

export type ShellSplit = { ok: true; argv: string[] } | { ok: false; column: number; message: string };

/**
 * Splits `raw` from index `start` into arguments like a POSIX shell without
 * expansions: whitespace separates, '…' is literal, "…" allows \" \\ \$ \`,
 * a backslash outside quotes takes the next character literally.
 */
export function shellSplit(raw: string, start: number): ShellSplit {
  const argv: string[] = [];
  let current = '';
  let inWord = false;
  let i = start;
  while (i < raw.length) {
    const c = raw[i] as string;
    if (c === ' ' || c === '\t') {
      if (inWord) argv.push(current);
      current = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      if (end < 0) return { ok: false, column: i + 1, message: 'unterminated single quote' };
      current += raw.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      let closed = false;
      while (j < raw.length) {
        const d = raw[j] as string;
        if (d === '"') {
          closed = true;
          break;
        }
        if (d === '\\' && j + 1 < raw.length && '"\\$`'.includes(raw[j + 1] as string)) {
          current += raw[j + 1];
          j += 2;
        } else {
          current += d;
          j++;
        }
      }
      if (!closed) return { ok: false, column: i + 1, message: 'unterminated double quote' };
      inWord = true;
      i = j + 1;
    } else if (c === '\\') {
      if (i + 1 >= raw.length) return { ok: false, column: i + 1, message: 'backslash at end of line' };
      current += raw[i + 1];
      inWord = true;
      i += 2;
    } else {
      current += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) argv.push(current);
  return { ok: true, argv };
}
