import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../lambdas/model/duration';

// Protects the k6 duration grammar: every accepted form maps to the right number of milliseconds.
describe('parseDuration accepts k6 durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1.5s', 1_500],
    ['0.25m', 15_000],
    ['1h2m3s4ms', 3_723_004],
    ['0s', 0],
    ['10m', 600_000],
    [' 45s ', 45_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('distinguishes "m" (minutes) from "ms" (milliseconds) in one string', () => {
    expect(parseDuration('1m1ms')).toBe(60_001);
    expect(parseDuration('1ms1m')).toBe(60_001);
  });

  it('reads bare numbers, as strings or numbers, as milliseconds', () => {
    expect(parseDuration('250')).toBe(250);
    expect(parseDuration('2.5')).toBe(2.5);
    expect(parseDuration(1_000)).toBe(1_000);
    expect(parseDuration(0)).toBe(0);
  });

  it('is repeatable: the shared sticky regex does not leak state between calls', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('10x')).toBeUndefined();
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('3s')).toBe(3_000);
  });
});

// Protects validation: anything that is not a duration is rejected, never read as a partial value.
describe('parseDuration rejects what is not a duration', () => {
  it.each([
    '10x',
    '',
    '   ',
    '-1s',
    's',
    '1s2',
    '1.s',
    '.5s',
    '1 s',
    '1S',
    '1d',
    'ms',
    '30s ago',
    'abc',
    '1e3',
    '-5',
  ])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d', (n) => {
    expect(parseDuration(n)).toBeUndefined();
  });

  it.each([null, undefined, true, {}, ['1s']])('rejects the non-string %j', (value) => {
    expect(parseDuration(value)).toBeUndefined();
  });
});

// Protects the display form: compact, unit-correct, and consistent with the parser.
describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [999.4, '999ms'],
    [1_000, '1s'],
    [1_500, '2s'],
    [30_000, '30s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [3_661_000, '1h1m1s'],
    [7_200_000 + 5_000, '2h5s'],
    [7_230_000, '2h30s'],
  ])('%d ms is %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips whole seconds through parseDuration', () => {
    for (const ms of [1_000, 59_000, 61_000, 3_599_000, 3_600_000, 86_399_000, 90_061_000])
      expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
