// The workspace app's auth: JWT claims (tokens.ts), per-user claims versions in KV (claims-version.ts),
// secrets and switches (secrets.ts), the socket check (socket-auth.ts) and demo guests (guest.ts).
export * from './claims-version';
export * from './guest';
export * from './secrets';
export * from './tokens';
export * from './socket-auth';
