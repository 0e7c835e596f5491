// The errors the codecs throw. DecodeError is the only thing decoding ever
// throws on bad input; EncodeError reports a packet or LSA object whose fields
// do not fit the wire format (a bug in the caller, not bad input from a peer).

/** Malformed bytes: `reason` is a short stable code, `offset` where the problem was found. */
export class DecodeError extends Error {
  override name = 'DecodeError';
  readonly offset: number;
  readonly reason: string;

  constructor(reason: string, offset: number, detail?: string) {
    super(detail === undefined ? `${reason} at offset ${offset}` : `${reason} at offset ${offset}: ${detail}`);
    this.reason = reason;
    this.offset = offset;
  }
}

/** A field that cannot be put on the wire (out of range, wrong size, body not matching the LSA type). */
export class EncodeError extends Error {
  override name = 'EncodeError';
}
