import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScalingJournal, ScalingJournalEntry } from '../../lambdas/ports/scaling';

/**
 * The ScalingJournal contract (DESIGN.md §6.2): every adapter runs this suite, each test on an empty
 * journal from `make()`.
 */

export interface ScalingJournalFixture {
  readonly journal: ScalingJournal;
  cleanup(): Promise<void>;
}

const BASE = Date.parse('2025-03-10T08:00:00.000Z');
/** `n` minutes after BASE. */
const at = (n: number) => new Date(BASE + n * 60_000).toISOString();

function entry(n: number, overrides: Partial<ScalingJournalEntry> = {}): ScalingJournalEntry {
  return {
    id: `01JSCALE${String(n).padStart(4, '0')}`,
    target: n % 2 === 0 ? 'api-get-test' : 'cache-shards',
    at: at(n),
    action: 'manual',
    actor: 'arn:aws:iam::123456789012:user/ops',
    capacity: n,
    before: { min: 1, max: 10, current: 2 },
    ...overrides,
  };
}

const ids = (entries: readonly ScalingJournalEntry[]) => entries.map((e) => e.id);

export function scalingJournalContract(name: string, make: () => Promise<ScalingJournalFixture>): void {
  describe(`ScalingJournal contract: ${name}`, () => {
    let fixture: ScalingJournalFixture;
    let journal: ScalingJournal;
    beforeEach(async () => {
      fixture = await make();
      journal = fixture.journal;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    const recordAll = async (entries: readonly ScalingJournalEntry[]) => {
      for (const e of entries) await journal.record(e);
    };

    it('starts empty', async () => {
      expect(await journal.list({ limit: 10 })).toEqual([]);
      expect(await journal.list({ target: 'api-get-test', limit: 10 })).toEqual([]);
    });

    it('lists newest first whatever the order entries were recorded in', async () => {
      await recordAll([entry(3), entry(1), entry(5), entry(2), entry(4)]);
      expect(ids(await journal.list({ limit: 10 }))).toEqual(ids([5, 4, 3, 2, 1].map((n) => entry(n))));
    });

    it('orders by time, not by how the ISO time is written', async () => {
      // Same instants written three ways: without milliseconds, with an offset, as toISOString.
      await recordAll([
        entry(1, { at: '2025-03-10T08:01:00Z' }),
        entry(2, { at: '2025-03-10T09:02:00+01:00' }),
        entry(3, { at: at(3) }),
      ]);
      expect(ids(await journal.list({ limit: 10 }))).toEqual(ids([3, 2, 1].map((n) => entry(n))));
    });

    it('filters by target, newest first', async () => {
      await recordAll([1, 2, 3, 4, 5, 6].map((n) => entry(n)));
      expect(ids(await journal.list({ target: 'api-get-test', limit: 10 }))).toEqual(
        ids([6, 4, 2].map((n) => entry(n))),
      );
      expect(ids(await journal.list({ target: 'cache-shards', limit: 10 }))).toEqual(
        ids([5, 3, 1].map((n) => entry(n))),
      );
      expect(await journal.list({ target: 'nobody', limit: 10 })).toEqual([]);
    });

    it('keeps entries at or after fromMs', async () => {
      await recordAll([1, 2, 3, 4, 5].map((n) => entry(n)));
      expect(ids(await journal.list({ fromMs: Date.parse(at(3)), limit: 10 }))).toEqual(
        ids([5, 4, 3].map((n) => entry(n))),
      );
      expect(ids(await journal.list({ fromMs: Date.parse(at(3)) + 1, limit: 10 }))).toEqual(
        ids([5, 4].map((n) => entry(n))),
      );
      expect(
        ids(await journal.list({ target: 'cache-shards', fromMs: Date.parse(at(2)), limit: 10 })),
      ).toEqual(ids([5, 3].map((n) => entry(n))));
      expect(await journal.list({ fromMs: Date.parse(at(6)), limit: 10 })).toEqual([]);
    });

    it('returns at most limit entries, the newest', async () => {
      await recordAll([1, 2, 3, 4, 5, 6, 7].map((n) => entry(n)));
      expect(ids(await journal.list({ limit: 3 }))).toEqual(ids([7, 6, 5].map((n) => entry(n))));
      expect(ids(await journal.list({ limit: 1 }))).toEqual([entry(7).id]);
      expect(ids(await journal.list({ target: 'cache-shards', limit: 2 }))).toEqual(
        ids([7, 5].map((n) => entry(n))),
      );
    });

    it('never overwrites an entry with the same id', async () => {
      const first = entry(1, { reason: 'first' });
      await journal.record(first);
      // Same id, another time and target: rejected or ignored, but never a second or changed entry.
      const again = entry(1, { reason: 'second', at: at(9), target: 'api-get-test', capacity: 99 });
      await journal.record(again).catch(() => undefined);
      expect(await journal.list({ limit: 10 })).toEqual([first]);
      expect(await journal.list({ target: 'api-get-test', limit: 10 })).toEqual([]);
    });

    it('keeps two entries recorded at the same instant', async () => {
      await recordAll([entry(1), entry(2, { at: at(1) })]);
      expect(ids(await journal.list({ limit: 10 })).sort()).toEqual(ids([entry(1), entry(2)]).sort());
    });

    it('round-trips every field of a config entry and of a minimal manual one', async () => {
      const config: ScalingJournalEntry = {
        id: '01JCONFIG',
        target: 'cache-replicas',
        at: '2025-03-10T08:30:00.123Z',
        action: 'config',
        actor: 'arn:aws:sts::123456789012:assumed-role/Ops/jane · “on call” 🚀',
        reason: 'Black Friday: hold more replicas\nuntil Monday',
        change: {
          min: 2,
          max: 5,
          targetValue: 55.5,
          scaleInCooldownSeconds: 300,
          scaleOutCooldownSeconds: 0,
          schedules: [
            { name: 'morning', schedule: 'cron(0 8 * * ? *)', timezone: 'Europe/Paris', min: 3, max: 5 },
            { name: 'night', schedule: 'cron(0 22 * * ? *)', min: 1 },
          ],
        },
        before: { min: 1, max: 3, current: null },
      };
      const manual: ScalingJournalEntry = {
        id: '01JMANUAL',
        target: 'api-get-test',
        at: '2025-03-10T08:31:00.000Z',
        action: 'manual',
        actor: 'local',
        capacity: 0,
        before: { min: 0, max: 0, current: 0 },
      };
      const emptySchedules: ScalingJournalEntry = {
        id: '01JNOSCHED',
        target: 'api-get-test',
        at: '2025-03-10T08:32:00.000Z',
        action: 'config',
        actor: 'local',
        change: { schedules: [] },
        before: { min: 1, max: 2, current: 1 },
      };
      await recordAll([config, manual, emptySchedules]);
      expect(await journal.list({ limit: 10 })).toStrictEqual([emptySchedules, manual, config]);
      expect(await journal.list({ target: 'cache-replicas', limit: 10 })).toStrictEqual([config]);
    });
  });
}
