/** A chunk as a search returns it: where it is, what it declares, its stored (masked) text and its score. */
export interface Hit {
  /** The chunk's row id (bigint, as text): what joins its lexical and vector ranks. */
  chunkId: string;
  projectId: string;
  repository: string;
  path: string;
  symbol: string;
  startLine: number;
  endLine: number;
  language: string;
  commit: string;
  content: string;
  score: number;
}
