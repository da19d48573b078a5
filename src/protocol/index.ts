export * from './events.ts';
export * from './errors.ts';
export * from './messages.ts';
export * from './snapshot.ts';
export * from './source.ts';
export * from './schemas.ts';
