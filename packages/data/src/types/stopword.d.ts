/** The part of the `stopword` package (MIT, no bundled types) that the `ldac:` source uses. */
declare module "stopword" {
  /** English stop words (lower case). */
  export const eng: string[];
}
