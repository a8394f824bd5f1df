export { ZERO_HASH, canonicalJson, sha256Hex } from './canonical';
export { chainId, linkRecord, recordHash, type Chained, type ChainFields, type ChainHead } from './hash-chain';
export { digestHash, signDigest, type DigestRecord } from './digest';
export { auditVerify, formatReport, type ChainSummary, type ProblemKind, type VerifyOptions, type VerifyProblem, type VerifyReport } from './verify';
