export * from './units';
export * from './auth';
export * from './tickets';
export * from './supervision';
export * from './routing';
export * from './reports';
export * from './imports';
export * from './photos';
