/**
 * Lua scripts, each run atomically by the server (EVALSHA with an EVAL fallback, via ioredis `defineCommand`).
 */

/**
 * Fixed-window counter. KEYS[1] counter, ARGV[1] window in ms. The first event opens the window (PEXPIRE);
 * a counter without expiry (left by anything else) gets one too, so a window can never last forever.
 * Returns the count including this event.
 */
export const ALLOW_LUA = `
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n`;

/** Bounded RPUSH. KEYS[1] list, ARGV[1] message, ARGV[2] most messages. Returns the new length, or -1 when full. */
export const ENQUEUE_LUA = `
if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[2]) then
  return -1
end
return redis.call('RPUSH', KEYS[1], ARGV[1])`;

/** The commands the scripts add to a client. */
export interface ScriptCommands {
  d7yAllow(key: string, windowMs: number): Promise<number>;
  d7yEnqueue(key: string, message: string, maxLength: number): Promise<number>;
}
