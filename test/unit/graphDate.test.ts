import { describe, expect, test } from 'vitest';
import { parseGraphDateTime } from '../../src/domain/graphDate';

describe('strict Graph dates', () => {
  test.each([
    ['2027-03-01T00:00:00Z', '2027-03-01T00:00:00.000Z'],
    ['2027-03-01T01:30:00+01:30', '2027-03-01T00:00:00.000Z'],
    ['2027-02-28T23:00:00-02:00', '2027-03-01T01:00:00.000Z'],
    ['2027-03-01T00:00:00.1234567Z', '2027-03-01T00:00:00.123Z'],
    ['2027-03-01T00:00Z', '2027-03-01T00:00:00.000Z'],
    ['2028-02-29T12:00:00Z', '2028-02-29T12:00:00.000Z'],
  ])('%s is %s', (input, expected) => {
    expect(parseGraphDateTime(input)).toBe(expected);
  });

  test.each([
    '0001-01-01T00:00:00Z',
    '1601-01-01T00:00:00Z',
    '2027-02-29T00:00:00Z',
    '2027-13-01T00:00:00Z',
    '2027-04-31T00:00:00Z',
    '2027-03-01T24:00:00Z',
    '2027-03-01T00:60:00Z',
    '2027-03-01T00:00:00+25:00',
    '2027-03-01T00:00:00',
    '2027-03-01',
    'not a date',
    '',
    ' 2027-03-01T00:00:00Z x',
  ])('%j is no date', (input) => {
    expect(parseGraphDateTime(input)).toBeNull();
  });

  test.each([null, undefined, 1798761600, {}, ['2027-03-01T00:00:00Z']])('%j (not a string) is no date', (input) => {
    expect(parseGraphDateTime(input)).toBeNull();
  });
});
