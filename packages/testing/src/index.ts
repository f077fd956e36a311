/** fast-check arbitraries and the identifiability property harness. */
export {};
