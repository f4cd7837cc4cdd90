import type { Redis } from 'ioredis';
import {
  type HourCount,
  hourOf,
  LONGEST_WINDOW_HOURS,
  type PinHourCount,
  type SignalStore,
} from './popularity.js';

// KEYS[1]: the batch marker; KEYS[2..]: one hash per pin ({hour}:s and {hour}:e counters).
// ARGV[1]: marker TTL (s); ARGV[2]: pin key TTL (s); ARGV[3]: oldest hour kept;
// ARGV[3 + i]: JSON [hour, saves, engagements, hour, ...] for KEYS[1 + i].
// Marker and increments in one script: either the batch's counts are all applied and marked, or none.
const APPLY = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
local oldest = tonumber(ARGV[3])
for i = 2, #KEYS do
  local t = cjson.decode(ARGV[i + 2])
  for j = 1, #t, 3 do
    if t[j + 1] ~= 0 then redis.call('HINCRBY', KEYS[i], t[j] .. ':s', t[j + 1]) end
    if t[j + 2] ~= 0 then redis.call('HINCRBY', KEYS[i], t[j] .. ':e', t[j + 2]) end
  end
  for _, f in ipairs(redis.call('HKEYS', KEYS[i])) do
    local h = tonumber(string.match(f, '^(%d+)'))
    if h and h < oldest then redis.call('HDEL', KEYS[i], f) end
  end
  redis.call('EXPIRE', KEYS[i], ARGV[2])
end
return 1
`;

const KEY_TTL_S = (LONGEST_WINDOW_HOURS + 24) * 3600;

/** Signal counts in Redis (services mode), shared by every worker and API node. */
export class RedisSignalStore implements SignalStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly markerTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private pinKey(id: string): string {
    return `${this.prefix}pop:p:${id}`;
  }

  async apply(batchId: string, counts: readonly PinHourCount[]): Promise<boolean> {
    const byPin = new Map<string, number[]>();
    for (const c of counts) {
      const list = byPin.get(c.pinId) ?? [];
      list.push(c.hour, c.saves, c.engagements);
      byPin.set(c.pinId, list);
    }
    const pins = [...byPin.keys()];
    const result = await this.redis.eval(
      APPLY,
      1 + pins.length,
      `${this.prefix}pop:b:${batchId}`,
      ...pins.map((p) => this.pinKey(p)),
      Math.max(1, Math.ceil(this.markerTtlMs / 1000)),
      KEY_TTL_S,
      hourOf(this.now()) - LONGEST_WINDOW_HOURS,
      ...pins.map((p) => JSON.stringify(byPin.get(p))),
    );
    return result === 1;
  }

  async read(pinIds: readonly string[]): Promise<Map<string, HourCount[]>> {
    const out = new Map<string, HourCount[]>();
    if (pinIds.length === 0) return out;
    const pipeline = this.redis.pipeline();
    for (const id of pinIds) pipeline.hgetall(this.pinKey(id));
    const replies = (await pipeline.exec()) ?? [];
    const oldest = hourOf(this.now()) - LONGEST_WINDOW_HOURS;
    pinIds.forEach((id, i) => {
      const [err, hash] = replies[i] ?? [];
      if (err) throw err;
      const hours = new Map<number, HourCount>();
      for (const [field, value] of Object.entries((hash ?? {}) as Record<string, string>)) {
        const [h, kind] = field.split(':');
        const hour = Number(h);
        if (!Number.isInteger(hour) || hour < oldest) continue;
        const cur = hours.get(hour) ?? { hour, saves: 0, engagements: 0 };
        if (kind === 's') cur.saves += Number(value);
        else if (kind === 'e') cur.engagements += Number(value);
        hours.set(hour, cur);
      }
      if (hours.size) out.set(id, [...hours.values()]);
    });
    return out;
  }

  async forget(pinIds: readonly string[]): Promise<void> {
    if (pinIds.length) await this.redis.del(...pinIds.map((p) => this.pinKey(p)));
  }

  async replace(counts: readonly PinHourCount[]): Promise<void> {
    await this.redis.del(`${this.prefix}pop:built`);
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}pop:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await this.redis.del(...keys);
    } while (cursor !== '0');
    for (let i = 0; i < counts.length; i += 2000) {
      const pipeline = this.redis.pipeline();
      for (const c of counts.slice(i, i + 2000)) {
        const key = this.pinKey(c.pinId);
        if (c.saves) pipeline.hincrby(key, `${c.hour}:s`, c.saves);
        if (c.engagements) pipeline.hincrby(key, `${c.hour}:e`, c.engagements);
        pipeline.expire(key, KEY_TTL_S);
      }
      await pipeline.exec();
    }
    await this.redis.set(`${this.prefix}pop:built`, '1');
  }

  async isBuilt(): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}pop:built`)) === 1;
  }
}
