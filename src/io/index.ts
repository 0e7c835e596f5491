// The Linux adapters: OSPF over raw sockets, interface and address changes
// from rtnetlink, and the kernel route installer. Importing this loads the
// native modules of `raw-socket` and `netlink`, so it is kept out of the
// platform-independent entry (src/index.ts).
export * from './errors.js';
export * from './ipv4-header.js';
export * from './kernel-route.js';
export * from './links.js';
export * from './routes.js';
export * from './transport.js';
export * from './addresses.js';
