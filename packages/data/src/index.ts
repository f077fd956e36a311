/** Synthetic generators, loaders, splits and minibatching. */
export {};
