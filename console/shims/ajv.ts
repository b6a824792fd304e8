// ajv for the browser bundle: the validators the verifier compiles, compiled at build time into ajv's standalone code
// (console/precompile-schemas.ts), looked up by the schema's $id. The page's CSP forbids ajv's runtime compilation.
import maestro from "precompiled:maestro";

type Validator = ((value: unknown) => boolean) & { errors?: unknown };
const validators = maestro as Record<string, Validator>;

function precompiled(id: string | undefined): Validator {
  const v = id === undefined ? undefined : validators[id];
  if (!v) throw new Error(`schema ${String(id)} was not compiled into the console (console/precompile-schemas.ts)`);
  return v;
}

export class Ajv2020 {
  addSchema(): this {
    return this;
  }
  getSchema(id: string): Validator | undefined {
    return validators[id];
  }
  compile(schema: { $id?: string }): Validator {
    return precompiled(schema.$id);
  }
  addFormat(): this {
    return this;
  }
}

export default Ajv2020;
