/**
 * The heartbeat every channel shares. It stays the exact text pair each object registers with
 * `setWebSocketAutoResponse`, so the runtime answers a ping without waking (or billing) the object, and it
 * never goes through the codec.
 */
export const PING = 'ping';
export const PONG = 'pong';

/**
 * How often the browser pings. Below the ~30–60 s idle timeouts of common proxies and NATs, so an idle
 * socket is not cut, and rare enough to cost nothing (the object does not wake).
 */
export const PING_INTERVAL_MS = 25_000;

/**
 * A ping unanswered this long means a half-open connection (a laptop lid closed, a phone changing
 * networks), which TCP alone may not notice for minutes: the client reconnects.
 */
export const PONG_TIMEOUT_MS = 10_000;
