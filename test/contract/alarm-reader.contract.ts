import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmReader, AlarmState, AlarmStateValue } from '../../lambdas/ports/alarms';

/**
 * The AlarmReader contract (DESIGN.md §6.2): the local rules and the deployment's CloudWatch
 * alarms answer `GET /performance/alarms` alike. Each adapter's file sets up a situation (alarms
 * in every state, others' alarms beside them) by the adapter's own means, and one state change.
 */

export interface AlarmReaderFixture {
  readonly reader: AlarmReader;
  readonly source: AlarmReader['source'];
  /** This deployment's alarms and the state the situation put each in (at least one per state). */
  readonly expected: Readonly<Record<string, AlarmStateValue>>;
  /** Alarms that exist beside them (another deployment's, another app's); never listed. */
  readonly foreign: readonly string[];
  /** The fixture's clock (epoch ms). */
  now(): number;
  /** Moves one alarm of `expected` to another state, by the adapter's own means; says which. */
  transition(): Promise<{ readonly name: string; readonly to: AlarmStateValue }>;
  cleanup(): Promise<void>;
}

const STATES: readonly AlarmStateValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const TYPES: readonly AlarmState['type'][] = ['metric', 'composite', 'anomaly'];
/** CloudWatch's ComparisonOperator names, which the local rules use too. */
const COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const names = (alarms: readonly AlarmState[]) => alarms.map((a) => a.name);

export function alarmReaderContract(name: string, make: () => Promise<AlarmReaderFixture>): void {
  describe(`AlarmReader contract: ${name}`, () => {
    let f: AlarmReaderFixture;
    beforeAll(async () => {
      f = await make();
    });
    afterAll(async () => {
      await f?.cleanup();
    });

    const expectedNames = (state?: AlarmStateValue) =>
      Object.entries(f.expected)
        .filter(([, s]) => state === undefined || s === state)
        .map(([n]) => n)
        .sort(byCodeUnit);

    it('says where its alarms come from', () => {
      expect(f.reader.source).toBe(f.source);
    });

    it("lists every alarm of this deployment, across pages, each once, by name, and no one else's", async () => {
      const alarms = await f.reader.list({});
      expect(names(alarms)).toEqual(expectedNames());
      for (const foreign of f.foreign) expect(names(alarms)).not.toContain(foreign);
    });

    it('reports the state each alarm is in', async () => {
      const alarms = await f.reader.list({});
      expect(Object.fromEntries(alarms.map((a) => [a.name, a.state]))).toEqual(f.expected);
    });

    it('with a state, lists exactly the alarms in that state, by name', async () => {
      for (const state of STATES) {
        expect(expectedNames(state).length, `the situation has an alarm in ${state}`).toBeGreaterThan(0);
        const alarms = await f.reader.list({ state });
        expect(names(alarms)).toEqual(expectedNames(state));
        for (const a of alarms) expect(a.state).toBe(state);
      }
    });

    it('fills every field with its type, and leaves out what does not apply', async () => {
      for (const a of await f.reader.list({})) {
        // exactOptionalPropertyTypes: absent, never present as undefined.
        expect(JSON.parse(JSON.stringify(a))).toStrictEqual(a);
        expect(a.name.length).toBeGreaterThan(0);
        expect(TYPES).toContain(a.type);
        expect(STATES).toContain(a.state);
        expect(typeof a.reason).toBe('string');
        expect(a.reason.length, `${a.name} says why it is in ${a.state}`).toBeGreaterThan(0);
        expect(typeof a.actionsEnabled).toBe('boolean');
        if (a.description !== undefined) expect(a.description.length).toBeGreaterThan(0);
        if (a.type === 'composite') {
          expect(a).not.toHaveProperty('metric');
          expect(a).not.toHaveProperty('threshold');
        } else {
          expect(a.metric, `${a.name} names its metric as namespace/metric`).toMatch(/^.+\/.+$/);
          expect(COMPARISONS).toContain(a.comparison);
          if (a.type === 'metric') expect(Number.isFinite(a.threshold)).toBe(true);
          // An anomaly alarm's threshold is a band, not a number.
          else expect(a).not.toHaveProperty('threshold');
        }
      }
    });

    it('gives updatedAt as ISO 8601 UTC, not in the future', async () => {
      for (const a of await f.reader.list({})) {
        expect(a.updatedAt).toMatch(ISO_UTC);
        expect(new Date(a.updatedAt).toISOString()).toBe(a.updatedAt);
        expect(Date.parse(a.updatedAt)).toBeLessThanOrEqual(f.now() + 1_000);
      }
    });

    it('answers the same when read again with nothing changed', async () => {
      expect(await f.reader.list({})).toEqual(await f.reader.list({}));
    });

    // Last: it changes the situation.
    it("moves an alarm's state and updatedAt when its state changes, and leaves the others alone", async () => {
      const before = await f.reader.list({});
      const startedAt = f.now();
      const { name: changed, to } = await f.transition();
      expect(f.expected[changed], 'the transition changes a state').not.toBe(to);
      const after = await f.reader.list({});
      expect(names(after)).toEqual(names(before));
      for (const a of after) {
        const was = before.find((b) => b.name === a.name) as AlarmState;
        if (a.name !== changed) {
          expect(a).toEqual(was);
          continue;
        }
        expect(a.state).toBe(to);
        // To the second: CloudWatch keeps milliseconds, a clock may not.
        expect(Date.parse(a.updatedAt)).toBeGreaterThanOrEqual(Math.floor(startedAt / 1_000) * 1_000);
        expect(Date.parse(a.updatedAt)).toBeLessThanOrEqual(f.now() + 1_000);
        expect(Date.parse(a.updatedAt)).toBeGreaterThan(Date.parse(was.updatedAt));
      }
      expect(names(await f.reader.list({ state: to }))).toContain(changed);
    });
  });
}
