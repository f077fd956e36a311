/** Network blocks as tfjs-layers layers: mlp, maskedDecoder, poeEncoder. */
export {};
