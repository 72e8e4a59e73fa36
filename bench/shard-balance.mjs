// (f) Shard balance of the client-side sharding over independent Redis/Valkey nodes: how evenly
// 200,000 keys spread over 2–20 nodes, how many move (and where) when a node joins, and what a
// lookup costs. The real code (rendezvous hashing, lambdas/adapters/node/rendezvous-hash.ts)
// against, in the same run, `hash % N` and the ketama ring it replaced (160 MD5 points per node,
// rebuilt here as the peer).
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importBundled, round } from './lib.mjs';

const KEYS = Array.from(
  { length: Number(process.env.BENCH_SHARD_KEYS ?? 200_000) },
  (_, i) => `t:v:user:${i}:profile`,
);
const SIZES = [2, 3, 4, 5, 6, 8, 10, 12, 16, 20];
const nodesOf = (n) => Array.from({ length: n }, (_, i) => `10.0.${i % 3}.${10 + i}:6379`);

/** The ring before: libketama's layout, 4 points per MD5 digest, a key on the first point clockwise. */
function ketama(ids, murmur3, virtualNodes = 160) {
  const entries = [];
  ids.forEach((id, owner) => {
    for (let i = 0; i < virtualNodes / 4; i++) {
      const d = createHash('md5').update(`${id}-${i}`).digest();
      for (let p = 0; p < 4; p++) entries.push([d.readUInt32LE(p * 4), owner]);
    }
  });
  entries.sort((a, b) => a[0] - b[0]);
  const points = Uint32Array.from(entries, (e) => e[0]);
  const owners = Uint32Array.from(entries, (e) => e[1]);
  return (key) => {
    const h = murmur3(Buffer.from(key, 'utf8'));
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid] < h) lo = mid + 1;
      else hi = mid;
    }
    return ids[owners[lo === points.length ? 0 : lo]];
  };
}

const dir = await mkdtemp(join(tmpdir(), 'throughline-bench-shards-'));
try {
  const m = await importBundled(dir, [
    "export { RendezvousHash, murmur3 } from 'lambdas/adapters/node/rendezvous-hash.ts';",
  ]);
  const schemes = {
    modulo: (ids) => (key) => ids[m.murmur3(Buffer.from(key, 'utf8')) % ids.length],
    ketama160: (ids) => ketama(ids, m.murmur3),
    rendezvous: (ids) => {
      const r = new m.RendezvousHash(ids.map((id) => ({ id, value: id })));
      return (key) => r.nodeFor(key);
    },
  };

  /** Largest deviation of a node's share from an even one, in per cent of the even share. */
  const imbalance = (owner, n) => {
    const counts = new Map();
    for (const k of KEYS) counts.set(owner(k), (counts.get(owner(k)) ?? 0) + 1);
    const even = KEYS.length / n;
    return round(
      Math.max(
        ...[...counts.values(), ...Array(n - counts.size).fill(0)].map((c) => Math.abs(c - even) / even),
      ) * 100,
      2,
    );
  };

  const balance = {};
  const movement = {};
  const lookupNs = {};
  for (const [name, make] of Object.entries(schemes)) {
    balance[name] = {};
    movement[name] = {};
    for (const n of SIZES) {
      const ids = nodesOf(n + 1);
      const before = make(ids.slice(0, n));
      balance[name][n] = imbalance(before, n);
      const after = make(ids);
      let moved = 0;
      let notToNew = 0;
      for (const k of KEYS) {
        const to = after(k);
        if (before(k) === to) continue;
        moved++;
        if (to !== ids[n]) notToNew++;
      }
      movement[name][`${n}->${n + 1}`] = {
        movedPercent: round((moved / KEYS.length) * 100, 2),
        idealPercent: round(100 / (n + 1), 2),
        movedBetweenOldNodesPercent: round((notToNew / KEYS.length) * 100, 2),
      };
    }
    lookupNs[name] = {};
    for (const n of [3, 10, 20]) {
      const owner = make(nodesOf(n));
      for (const k of KEYS.slice(0, 20_000)) owner(k);
      const t = process.hrtime.bigint();
      let sink = 0;
      for (const k of KEYS) sink += owner(k).length;
      lookupNs[name][n] = round(Number(process.hrtime.bigint() - t) / KEYS.length, 1);
      if (sink < 0) console.log(sink);
    }
  }
  const worst = Object.fromEntries(
    Object.entries(balance).map(([name, b]) => [name, Math.max(...Object.values(b))]),
  );
  console.log(
    JSON.stringify(
      {
        benchmark: 'shard-balance',
        keys: KEYS.length,
        maxImbalancePercent: balance,
        worstImbalancePercent: worst,
        goal: 'every node within 5 % of an even share for 2–20 nodes; a join moves ~1/(N+1), all to the new node',
        goalHolds:
          worst.rendezvous < 5 &&
          Object.values(movement.rendezvous).every(
            (mv) => mv.movedBetweenOldNodesPercent === 0 && Math.abs(mv.movedPercent - mv.idealPercent) < 1,
          ),
        onJoin: movement,
        lookupNsPerKey: lookupNs,
      },
      null,
      2,
    ),
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
