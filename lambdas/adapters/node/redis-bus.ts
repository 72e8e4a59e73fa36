import type { CacheBus } from '../../ports/cache-driver';
import type { RedisClient } from './redis-connection';
import { channelKey, type RedisKeyspace } from './redis-keyspace';

export interface RedisCacheBus extends CacheBus {
  /** Closes the subscriber connections (the driver's own connection stays open). */
  close(): Promise<void>;
}

/**
 * Cross-instance messages over Redis pub/sub, channels named `<prefix>b:<channel>`.
 *
 * Cluster mode uses sharded pub/sub (SPUBLISH/SSUBSCRIBE, Redis 7+/Valkey): a channel lives on the
 * node owning its slot, whereas classic PUBLISH is broadcast over the cluster bus to every node.
 * Sharded (ring) mode publishes and subscribes on the ring node owning the channel. Subscribing
 * needs a connection of its own (a subscribed connection can run nothing else), opened on first
 * use; ioredis resubscribes after a reconnect. Delivery is at most once: a subscriber that is
 * disconnected (or a Lambda environment that is frozen) misses messages, so L1 TTLs must still
 * bound staleness.
 */
export function createRedisBus(driver: RedisKeyspace): RedisCacheBus {
  const { connection, keyPrefix } = driver;
  const sharded = connection.topology.mode === 'cluster';
  const channelName = (channel: string) => channelKey(keyPrefix, channel);
  const handlers = new Map<string, Set<(message: string) => void>>();
  const subscriptions = new Map<string, Promise<void>>();
  const subscribers = new Map<number, Promise<RedisClient>>();

  function dispatch(channel: string, message: string): void {
    for (const handler of handlers.get(channel) ?? []) {
      try {
        handler(message);
      } catch (err) {
        // One failing listener must not starve the others or kill the connection.
        connection.settings.onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  function subscriberFor(shard: number): Promise<RedisClient> {
    const existing = subscribers.get(shard);
    if (existing) return existing;
    const client = connection.openSubscriber(shard);
    client.on('error', connection.settings.onError);
    client.on(sharded ? 'smessage' : 'message', dispatch);
    const connected = client.connect().then(
      () => client,
      (err: unknown) => {
        subscribers.delete(shard);
        client.disconnect();
        throw err;
      },
    );
    subscribers.set(shard, connected);
    return connected;
  }

  return {
    publish: (channel, message) =>
      connection.run('bus.publish', async () => {
        const full = channelName(channel);
        const client = connection.clientFor(full);
        await (sharded ? client.spublish(full, message) : client.publish(full, message));
      }),
    subscribe: (channel, onMessage) =>
      // Unbounded by commandTimeoutMs: the first call opens a connection (connectTimeoutMs bounds it).
      connection.run(
        'bus.subscribe',
        async () => {
          const full = channelName(channel);
          const shard = connection.shardOf(full);
          const own = handlers.get(full) ?? new Set<(message: string) => void>();
          handlers.set(full, own);
          own.add(onMessage);
          let pending = subscriptions.get(full);
          if (!pending) {
            const attempt = (async () => {
              const client = await subscriberFor(shard);
              await (sharded ? client.ssubscribe(full) : client.subscribe(full));
            })();
            attempt.catch(() => {
              if (subscriptions.get(full) === attempt) subscriptions.delete(full);
            });
            subscriptions.set(full, attempt);
            pending = attempt;
          }
          try {
            await pending;
          } catch (err) {
            own.delete(onMessage);
            if (own.size === 0 && handlers.get(full) === own) handlers.delete(full);
            throw err;
          }
          let active = true;
          return async () => {
            if (!active) return;
            active = false;
            own.delete(onMessage);
            if (own.size > 0 || handlers.get(full) !== own) return;
            handlers.delete(full);
            subscriptions.delete(full);
            const client = await subscribers.get(shard);
            if (client) await (sharded ? client.sunsubscribe(full) : client.unsubscribe(full));
          };
        },
        false,
      ),
    async close() {
      const clients = await Promise.allSettled(subscribers.values());
      subscribers.clear();
      subscriptions.clear();
      handlers.clear();
      for (const c of clients) if (c.status === 'fulfilled') c.value.disconnect();
    },
  };
}
