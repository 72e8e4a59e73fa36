import { randomBytes } from 'node:crypto';

/**
 * Test ids: 9 base-36 digits of epoch milliseconds (sortable until the year 5188) and 10 random
 * ones (~51 bits), e.g. `mhx2k9z0a-4f0q1c8e2d`. Creation order is visible and collisions are
 * negligible without coordination.
 */
export function newTestId(): string {
  const time = Date.now().toString(36).padStart(9, '0');
  const random = [...randomBytes(10)].map((b) => (b % 36).toString(36)).join('');
  return `${time}-${random}`;
}
