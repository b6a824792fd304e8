// The build's standalone ajv modules (console/precompile-schemas.ts), resolved by console/build.mjs.
declare module "precompiled:*" {
  const validators: unknown;
  export default validators;
}
