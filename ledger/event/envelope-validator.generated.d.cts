// Types of envelope-validator.generated.cjs (ajv standalone code; see precompile-envelope.ts).
import type { ValidateFunction } from "ajv/dist/2020.js";

declare const validate: ValidateFunction;
export = validate;
