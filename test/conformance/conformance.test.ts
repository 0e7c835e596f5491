// The conformance cases of cases/: each replayed on a fresh engine and its
// outputs compared with expected.json, step by step, so that a mismatch shows
// which step of which RFC 2328 case changed and, field by field, how.
import { describe, expect, it } from 'vitest';
import { caseNames, readCase, readExpected, replay } from './cases.js';

const names = caseNames();

describe('RFC 2328 conformance cases (test/conformance/cases)', () => {
  it('has cases, each reviewed against the RFC', () => {
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const review = readExpected(name).review;
      expect(review.length, `${name}: expected.json has no review notes`).toBeGreaterThan(0);
      expect(review.filter((line) => line.startsWith('UNREVIEWED')), `${name}: expected.json is an unreviewed recording`).toEqual([]);
    }
  });

  for (const name of names) {
    it(`${name}: ${readCase(name).rfc}`, () => {
      const file = readCase(name);
      const actual = replay(file);
      const expected = readExpected(name).steps;
      expect(actual.map((s) => `${s.at} ${s.note}`), `${name}: the steps of input.json and expected.json differ; record the case again`).toEqual(
        expected.map((s) => `${s.at} ${s.note}`),
      );
      actual.forEach((step, i) => {
        expect(step, `${name}, step ${i} at ${step.at} ms (${step.note})`).toEqual(expected[i]);
      });
    });
  }
});
