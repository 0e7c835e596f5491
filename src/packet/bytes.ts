// Bounds-checked big-endian reading and writing over DataView, shared by
// every codec. A read past the end throws DecodeError('truncated'); a value
// that does not fit its field throws EncodeError. DataView is used rather
// than Buffer.readUInt32BE, which measures several times slower.

import { DecodeError, EncodeError } from './errors.js';

/** A DataView over exactly the bytes of `data`. */
export function viewOf(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

/** Sequential reader over data[pos, end); offsets in errors are relative to `data`. */
export class Reader {
  readonly data: Uint8Array;
  readonly view: DataView;
  pos: number;
  end: number;

  constructor(data: Uint8Array, pos = 0, end = data.length, view = viewOf(data)) {
    this.data = data;
    this.view = view;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws DecodeError('truncated') unless n more bytes are there. */
  need(n: number): void {
    if (this.end - this.pos < n) throw new DecodeError('truncated', this.pos, `need ${n} bytes, have ${this.end - this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }

  u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.pos);
    this.pos += 2;
    return value;
  }

  u24(): number {
    this.need(3);
    const value = (this.view.getUint8(this.pos) << 16) | this.view.getUint16(this.pos + 1);
    this.pos += 3;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.pos);
    this.pos += 4;
    return value;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
}

function checkRange(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new EncodeError(`${what} out of range: ${value}`);
}

/** Sequential writer into a buffer of known size (sizes are computed before writing). */
export class Writer {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  private room(n: number): void {
    if (this.pos + n > this.buf.length) throw new EncodeError(`write past the computed size ${this.buf.length}`);
  }

  u8(value: number, what = 'u8'): void {
    checkRange(value, 0xff, what);
    this.room(1);
    this.view.setUint8(this.pos++, value);
  }

  u16(value: number, what = 'u16'): void {
    checkRange(value, 0xffff, what);
    this.room(2);
    this.view.setUint16(this.pos, value);
    this.pos += 2;
  }

  u24(value: number, what = 'u24'): void {
    checkRange(value, 0xffffff, what);
    this.room(3);
    this.view.setUint8(this.pos, value >>> 16);
    this.view.setUint16(this.pos + 1, value & 0xffff);
    this.pos += 3;
  }

  u32(value: number, what = 'u32'): void {
    checkRange(value, 0xffffffff, what);
    this.room(4);
    this.view.setUint32(this.pos, value);
    this.pos += 4;
  }

  i32(value: number, what = 'i32'): void {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new EncodeError(`${what} out of range: ${value}`);
    this.room(4);
    this.view.setInt32(this.pos, value);
    this.pos += 4;
  }

  bytes(data: Uint8Array): void {
    this.room(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** The written bytes; the size computed up front must have been used exactly. */
  finish(): Uint8Array {
    if (this.pos !== this.buf.length) throw new EncodeError(`wrote ${this.pos} bytes, expected ${this.buf.length}`);
    return this.buf;
  }
}
