// Public entry of the ospf-anycast library.
export * from './packet/types.js';
export * from './lib/ipv4.js';
export * from './core/api.js';
export * from './packet/index.js';
export * from './core/index.js';
export * from './anycast/index.js';
export * from './instance/instance.js';
export * from './config/index.js';
export * from './sim/index.js';
export * from './spf/index.js';
