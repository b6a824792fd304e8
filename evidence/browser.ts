// Public entry of the evidence package for a browser (the console bundles it): the same offline verifier the CLI runs,
// on WebCrypto. Node's node:crypto and node:buffer calls below it are met by the console's shims (console/shims/).
export { EXPORT_PARTS, type EvidenceExport } from "./formats/export-types.ts";
export type { Check } from "./verify/verify-report.ts";
export { verifyEvidence, type VerifyResult } from "./verify/verify-evidence.ts";
export { webCryptoPlatform } from "./verify/webcrypto-platform.ts";
