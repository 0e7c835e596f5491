// Errors thrown by the SPF module. Bad LSAs are not errors (they come back
// as SpfDrop values); these report a caller passing impossible settings.

/** Settings out of range: maximumPaths, interface lists, throttle timers. */
export class SpfConfigError extends Error {
  override name = 'SpfConfigError';
}
