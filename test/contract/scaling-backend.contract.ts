import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScalableTargetRef } from '../../lambdas/model/scaling';
import type { ScalingBackend } from '../../lambdas/ports/scaling';

/**
 * The ScalingBackend contract (DESIGN.md §6.2): the local worker pool and Application Auto Scaling
 * must mean the same by configure, a manual hold and its end. Each test gets a target registered
 * with min 1, max 10 and no hold.
 */

export interface ScalingBackendFixture {
  readonly backend: ScalingBackend;
  readonly target: ScalableTargetRef;
  cleanup(): Promise<void>;
}

export function scalingBackendContract(name: string, make: () => Promise<ScalingBackendFixture>): void {
  describe(`ScalingBackend contract: ${name}`, () => {
    let f: ScalingBackendFixture;
    beforeEach(async () => {
      f = await make();
    });
    afterEach(async () => {
      await f.cleanup();
    });
    const status = async () => {
      const [s] = await f.backend.status([f.target]);
      if (!s) throw new Error('no status');
      return s;
    };

    it('status describes the target it was asked about', async () => {
      const s = await status();
      expect(s).toMatchObject({
        id: f.target.id,
        kind: f.target.kind,
        min: 1,
        max: 10,
        limits: f.target.limits,
        suspended: false,
      });
      expect(s.current === null || Number.isInteger(s.current)).toBe(true);
      expect(
        Array.isArray(s.policies) && Array.isArray(s.schedules) && Array.isArray(s.activitiesInProgress),
      ).toBe(true);
    });

    it('configure sets the range and returns the new status', async () => {
      const after = await f.backend.configure(f.target, { min: 2, max: 5 });
      expect(after).toMatchObject({ min: 2, max: 5, suspended: false });
      expect(await status()).toMatchObject({ min: 2, max: 5 });
      expect(await f.backend.configure(f.target, { max: 7 })).toMatchObject({ min: 2, max: 7 });
    });

    it('setCapacity holds the capacity (min = max) until the next configure', async () => {
      const held = await f.backend.setCapacity(f.target, 4);
      expect(held).toMatchObject({ min: 4, max: 4, suspended: true });
      expect(await status()).toMatchObject({ min: 4, max: 4, suspended: true });
      const released = await f.backend.configure(f.target, { min: 1, max: 9 });
      expect(released).toMatchObject({ min: 1, max: 9, suspended: false });
    });

    it('activities are newest first and at most the limit', async () => {
      await f.backend.setCapacity(f.target, 3);
      await f.backend.configure(f.target, { min: 1, max: 10 });
      const list = await f.backend.activities(f.target, { limit: 1 });
      expect(list.length).toBeLessThanOrEqual(1);
      const all = await f.backend.activities(f.target, { limit: 50 });
      for (let i = 1; i < all.length; i++)
        expect(Date.parse(all[i - 1]?.startedAt ?? '')).toBeGreaterThanOrEqual(
          Date.parse(all[i]?.startedAt ?? ''),
        );
      for (const a of all) expect(a.target).toBe(f.target.id);
    });
  });
}
