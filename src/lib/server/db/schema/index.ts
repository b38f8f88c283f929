// One file per app's directory tables; drizzle-kit reads this folder (drizzle.config.ts).
export * from './auth';
export * from './audit';
export * from './chat';
export * from './swarm';
export * from './workspace';
