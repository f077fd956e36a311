/** Published sparse deep generative models declared in the DSL. */
export {};
