import type { CacheBus } from '../../../ports/cache-driver';
import type { Clock } from '../../../ports/clock';
import type { InvalidationCounters } from '../tiers/cache-stats';
import { bounded } from '../tiers/remote-tier';

/**
 * This instance's connection to the invalidation bus. Neither a failed subscription nor a failed
 * publish reaches callers: without the bus, L1 (and per-instance L2) TTLs alone bound how stale
 * other instances can be, which is also all there is for a Lambda environment frozen while a
 * message went by. Publishing is bounded by a timeout like any tier call.
 */
export class BusLink {
  readonly ready: Promise<void>;
  private unsubscribe: (() => Promise<void>) | undefined;
  private subscribedFlag = false;

  constructor(
    private readonly bus: { readonly bus: CacheBus; readonly channel: string } | undefined,
    private readonly timeoutMs: number,
    private readonly clock: Clock,
    private readonly counters: InvalidationCounters,
    onMessage: (message: string) => void,
  ) {
    this.ready = this.subscribe(onMessage);
  }

  get subscribed(): boolean {
    return this.subscribedFlag;
  }

  get channel(): string | undefined {
    return this.bus?.channel;
  }

  async publish(message: string): Promise<void> {
    const link = this.bus;
    if (link === undefined) return;
    const result = await bounded(() => link.bus.publish(link.channel, message), this.timeoutMs, this.clock);
    if (result.ok) this.counters.published++;
    else this.counters.busErrors++;
  }

  async close(): Promise<void> {
    await this.ready;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    this.subscribedFlag = false;
    if (unsubscribe !== undefined) await unsubscribe().catch(() => undefined);
  }

  private async subscribe(onMessage: (message: string) => void): Promise<void> {
    const link = this.bus;
    if (link === undefined) return;
    try {
      this.unsubscribe = await link.bus.subscribe(link.channel, onMessage);
      this.subscribedFlag = true;
    } catch {
      this.counters.busErrors++;
    }
  }
}
