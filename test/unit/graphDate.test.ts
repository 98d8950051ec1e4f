import { describe, expect, test } from 'vitest';
import { parseGraphDateTime } from '../../src/domain/graphDate';

describe("Graph's DateTimeOffset, read strictly", () => {
  test.each([
    ['2027-01-05T10:00:00Z', '2027-01-05T10:00:00.000Z'],
    ['2027-01-05T02:00:00-08:00', '2027-01-05T10:00:00.000Z'],
    ['2027-01-05T11:30:00+01:30', '2027-01-05T10:00:00.000Z'],
    ['2027-01-05T10:00:00.1234567Z', '2027-01-05T10:00:00.123Z'],
    ['2027-01-05T10:00:00.9999999Z', '2027-01-05T10:00:00.999Z'],
    ['2027-01-05T10:00:00.5+00:00', '2027-01-05T10:00:00.500Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['1971-01-01T00:00:00Z', '1971-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ])('%s is %s', (raw, iso) => {
    expect(parseGraphDateTime(raw)).toBe(iso);
  });

  test.each([
    ['a bare number as text', '2'],
    ['a date without a time', '2027-01-01'],
    ["Graph's empty DateTimeOffset", '0001-01-01T00:00:00Z'],
    ['no offset', '2027-01-05T10:00:00'],
    ['month 13', '2027-13-01T00:00:00Z'],
    ['month 0', '2027-00-01T00:00:00Z'],
    ['February 30', '2027-02-30T00:00:00Z'],
    ['February 29 of a common year', '2027-02-29T00:00:00Z'],
    ['day 0', '2027-01-00T00:00:00Z'],
    ['hour 24', '2027-01-05T24:00:00Z'],
    ['minute 60', '2027-01-05T10:60:00Z'],
    ['second 60', '2027-01-05T10:00:60Z'],
    ['an offset of 24 hours', '2027-01-05T10:00:00+24:00'],
    ['an offset without a colon', '2027-01-05T10:00:00+0100'],
    ['a year before 1971', '1970-12-31T23:59:59Z'],
    ['a year past 9999 once in UTC', '9999-12-31T23:00:00-02:00'],
    ['a five-digit year', '10000-01-01T00:00:00Z'],
    ['a space instead of T', '2027-01-05 10:00:00Z'],
    ['leading blanks', ' 2027-01-05T10:00:00Z'],
    ['a trailing newline', '2027-01-05T10:00:00Z\n'],
    ['an RFC 2822 date', 'Tue, 05 Jan 2027 10:00:00 GMT'],
    ['an empty string', ''],
    ['a number', 2],
    ['null', null],
    ['an object', { value: '2027-01-05T10:00:00Z' }],
  ])('%s is no date', (_name, raw) => {
    expect(parseGraphDateTime(raw)).toBeNull();
  });
});
