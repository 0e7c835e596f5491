// RFC 2328 13.1: which of two instances of one LSA is newer, one test per rule.

import { describe, expect, test } from 'vitest';
import {
  InitialSequenceNumber,
  MaxAge,
  MaxAgeDiff,
  MaxSequenceNumber,
  compareLsaInstances,
  type LsaHeader,
} from '../../src/packet/index.js';

const base: LsaHeader = {
  age: 10,
  options: 0x02,
  type: 1,
  lsId: 0x0a000001,
  advRouter: 0x0a000001,
  seq: InitialSequenceNumber,
  checksum: 0x1234,
  length: 36,
};

function instance(fields: Partial<LsaHeader>): LsaHeader {
  return { ...base, ...fields };
}

/** a is newer: the comparison says so both ways round. */
function expectNewer(a: LsaHeader, b: LsaHeader): void {
  expect(compareLsaInstances(a, b)).toBeGreaterThan(0);
  expect(compareLsaInstances(b, a)).toBeLessThan(0);
}

describe('RFC 2328 13.1 compareLsaInstances', () => {
  test('13.1 rule 1: the higher sequence number is newer', () => {
    expectNewer(instance({ seq: InitialSequenceNumber + 1 }), instance({ seq: InitialSequenceNumber }));
  });

  test('13.1 rule 1: sequence numbers compare as signed 32-bit integers (0x80000001 < 0x7fffffff)', () => {
    expectNewer(instance({ seq: MaxSequenceNumber }), instance({ seq: InitialSequenceNumber }));
    expectNewer(instance({ seq: 1 }), instance({ seq: -1 }));
    // The same values given unsigned (as read by another decoder) compare the same way.
    expectNewer(instance({ seq: 0x7fffffff }), instance({ seq: 0x80000001 }));
  });

  test('13.1 rule 1 wins over every later rule', () => {
    expectNewer(
      instance({ seq: InitialSequenceNumber + 1, checksum: 0x0001, age: 3000 }),
      instance({ seq: InitialSequenceNumber, checksum: 0xffff, age: MaxAge }),
    );
  });

  test('13.1 rule 2: same sequence number, the larger checksum (unsigned) is newer', () => {
    expectNewer(instance({ checksum: 0xfffe }), instance({ checksum: 0x0001 }));
  });

  test('13.1 rule 2 wins over the age rules', () => {
    expectNewer(instance({ checksum: 0x2000, age: 3000 }), instance({ checksum: 0x1000, age: MaxAge }));
  });

  test('13.1 rule 3: only one at MaxAge, that one is newer', () => {
    expectNewer(instance({ age: MaxAge }), instance({ age: MaxAge - 1 }));
    expectNewer(instance({ age: MaxAge }), instance({ age: 0 }));
  });

  test('13.1 rule 3: both at MaxAge are the same instance', () => {
    expect(compareLsaInstances(instance({ age: MaxAge }), instance({ age: MaxAge }))).toBe(0);
  });

  test('13.1 rule 4: ages more than MaxAgeDiff apart, the younger is newer', () => {
    expectNewer(instance({ age: 100 }), instance({ age: 100 + MaxAgeDiff + 1 }));
  });

  test('13.1 rule 4: a difference of exactly MaxAgeDiff is not enough', () => {
    expect(compareLsaInstances(instance({ age: 100 }), instance({ age: 100 + MaxAgeDiff }))).toBe(0);
  });

  test('13.1 rule 5: otherwise the two are the same instance', () => {
    expect(compareLsaInstances(instance({ age: 1 }), instance({ age: 800 }))).toBe(0);
    expect(compareLsaInstances(base, base)).toBe(0);
  });

  test('the DoNotAge bit (RFC 1793) takes no part in comparing ages', () => {
    expect(compareLsaInstances(instance({ age: 0x8000 | 5 }), instance({ age: 5 }))).toBe(0);
  });
});
