/** Grants of the synthesized roles that no test exercises, each with the reason it is there (also in the README). */
export const unexercisedGrants: { grant: string; why: string }[] = [];
