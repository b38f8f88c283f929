// The workspace app's auth: JWT claims (tokens.ts), per-user claims versions in KV (claims-version.ts),
// secrets and switches (secrets.ts) and the socket check (socket-auth.ts).
export * from './claims-version';
export * from './secrets';
export * from './tokens';
export * from './socket-auth';
