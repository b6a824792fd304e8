// Reading a value the code has just established is there (an index below a length it checked, a key it took from the
// same map) under noUncheckedIndexedAccess. A `!` would carry a missing value on as `undefined`; these throw a named
// error that says which value was missing, so a broken invariant fails where it broke.

/** A value the code proved present was not: a bug in Maestro, never bad input (input is checked at the boundary). */
export class MissingValueError extends Error {
  constructor(what: string) {
    super(`${what} is missing (an invariant the code relies on does not hold)`);
    this.name = "MissingValueError";
  }
}

/** `value`, which the caller established is present (neither undefined nor null); a MissingValueError naming `what` otherwise. */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new MissingValueError(what);
  return value;
}

/** `items[index]`, which the caller established is in range (a checked length, a loop bound); `what` names the list. */
export function itemAt<T>(items: ArrayLike<T>, index: number, what: string): T {
  const value = items[index];
  if (value === undefined) throw new MissingValueError(`${what}[${index}] (length ${items.length})`);
  return value;
}
