/** Held-out error, IWAE, DCI, MIG, SAP, MCC, support recovery, Jaccard. */
export {};
