import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes';

// `throughline capacity fit` as a user runs it: the bundled CLI on a CSV of measured points.

const dir = mkdtempSync(join(tmpdir(), 'throughline-capacity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('throughline capacity fit', () => {
  it('prints the USL fit of specsdm91 as JSON: coefficients, peak, roof, knee', async () => {
    const csv = file(
      'specsdm91.csv',
      '# Gunther, Guerrilla Capacity Planning\nN,X\n1,64.9\n18,995.9\n36,1652.4\n72,1853.2\n108,1828.9\n144,1775.0\n216,1702.2\n',
    );
    const r = await runCli(['capacity', 'fit', '--points', csv]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ fitted: true, knee: 36, warnings: [] });
    expect(out.sigma).toBeCloseTo(0.0277285, 6);
    expect(out.kappa).toBeCloseTo(0.000104366, 8);
    expect(out.lambda).toBeCloseTo(89.9952, 3);
    expect(out.nMax).toBeCloseTo(96.51956, 4);
    expect(out.xMax).toBeCloseTo(1884, 0);
    expect(out.standardErrors.sigma).toBeCloseTo(0.009122, 6);
  });

  it('says why there is no fit (exit 1), and lists every bad line', async () => {
    const few = await runCli(['capacity', 'fit', '--points', file('few.csv', '1,10\n2,19\n3,27\n')]);
    expect(few.code).toBe(1);
    expect(JSON.parse(few.stdout)).toMatchObject({
      fitted: false,
      reason: '3 distinct concurrency levels: a fit of three coefficients needs at least 4',
    });
    const bad = await runCli(['capacity', 'fit', '--points', file('bad.csv', 'N,X\n1,2\nfoo\n3;x\n')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('line 3: "foo" is not two numbers N,X');
    expect(bad.stderr).toContain('line 4: "3;x" is not two numbers N,X');
    const missing = await runCli(['capacity', 'fit']);
    expect(missing.stderr).toContain('--points <file.csv> is required');
  });
});
