/** Facade re-exporting the public API of sparse-dgm. */
export {};
