/** The sdgm command line. */
export {};
