// ajv-formats for the browser bundle: the precompiled validators already call its format functions themselves.
export default function addFormats(): void {}
