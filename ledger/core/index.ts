// Public surface of the pure ledger core: hashing, subtree math, proofs, signed notes, checkpoints, tiles.

export type { Checkpoint } from "./checkpoint.ts";
export { formatCheckpoint, parseCheckpoint, signCheckpoint, verifyCheckpoint } from "./checkpoint.ts";
export type { CosignatureCheck, Cosigner } from "./cosignature.ts";
export {
  cosignedMessage,
  cosignerKeyId,
  formatCosignerVkey,
  parseCosignerVkey,
  parseSignatureLine,
  signCosignature,
  verifyCosignature,
} from "./cosignature.ts";
export type { WitnessCount } from "./cosigned-note.ts";
export { countWitnesses, mergeSignatureLines, splitNote } from "./cosigned-note.ts";
export { formatAddCheckpoint, parseConflictSize, parseCosignatureLines } from "./witness-protocol.ts";
export { decodeHash, EMPTY_ROOT, fromBase64, HASH_SIZE, hashEquals, leafHash, nodeHash, toBase64 } from "./hash.ts";
export type { NoteSignature, OpenedNote } from "./note.ts";
export { openNote, signNote } from "./note.ts";
export type { NoteSigner, NoteVerifier } from "./note-keys.ts";
export {
  ed25519PublicRaw,
  formatSignerKey,
  formatVkey,
  generateNoteKey,
  isValidKeyName,
  keyIdHex,
  noteKeyId,
  parseSignerKey,
  parseVkey,
} from "./note-keys.ts";
export type { HashReader, ProofPlan } from "./proof-plan.ts";
export {
  buildConsistencyProof,
  buildInclusionProof,
  computeRoot,
  consistencyPlan,
  inclusionPlan,
  planCoords,
  resolvePlan,
} from "./proof-plan.ts";
export { inclusionWalk } from "./inclusion-walk.ts";
export type { ConsistencyInput, InclusionInput } from "./proof-verify.ts";
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from "./proof-verify.ts";
export type { NodeCoord, NodeHash } from "./subtree.ts";
export { computeAppend, coordKey, foldRight, frontierCoords, newNodesForAppend, rangeCoords, rootCoords } from "./subtree.ts";
export type { TilePath } from "./tiles.ts";
export {
  encodeTileIndex,
  entriesPath,
  formatEntryBundle,
  MAX_ENTRY_BYTES,
  parseEntryBundle,
  parseTilePath,
  readTileHashes,
  TILE_HEIGHT,
  TILE_WIDTH,
  tileNodeCoords,
  tilePath,
  tileWidth,
} from "./tiles.ts";
