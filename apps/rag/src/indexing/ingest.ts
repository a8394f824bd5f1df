import { Injectable } from '@nestjs/common';
import { DEFAULT_LIMITS, chunkFile } from '../chunking/chunker';
import { SyntaxDeclarations } from '../chunking/syntax-declarations';
import { ChunkScanner } from '../dlp/chunk-scanner';
import { EmbeddingsClient, embeddedText } from '../embeddings/embeddings-client';
import type { StoredChunk } from '../store/rag-store';

export interface SourceFile {
  path: string;
  content: Buffer | string;
}

export interface Ingested {
  chunks: StoredChunk[];
  /** Files that became chunks (text, within the size limit). */
  files: number;
  masked: number;
  blocked: number;
}

/** Characters per line above which a file is generated or minified (one huge line), not code someone reads. */
const MAX_AVERAGE_LINE = 300;

/** Text worth indexing: not binary (a NUL byte in its first 8 KiB), within the size limit, not minified. */
export function indexableText(content: Buffer | string, maxBytes: number): string | undefined {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  if (bytes.length > maxBytes || bytes.subarray(0, 8192).includes(0)) return undefined;
  const text = bytes.toString('utf8');
  const lines = text.split('\n').length;
  return text.length / lines > MAX_AVERAGE_LINE ? undefined : text;
}

/**
 * Files → chunks → DLP (→ vectors): the chunks ready to store, masked where DLP found something, without the ones
 * it blocked, each with its vector when an embeddings backend is configured. The model sees only DLP's output.
 */
@Injectable()
export class Ingest {
  constructor(
    private readonly scanner: ChunkScanner,
    private readonly syntax: SyntaxDeclarations,
    private readonly embeddings: EmbeddingsClient,
  ) {}

  async run(files: SourceFile[], commit: string, maxBytes: number): Promise<Ingested> {
    const texts = files.flatMap((f) => {
      const text = indexableText(f.content, maxBytes);
      return text === undefined ? [] : [{ path: f.path, text }];
    });
    const chunks = texts.flatMap((f) => chunkFile(f.path, f.text, DEFAULT_LIMITS, this.syntax));
    const scanned = await this.scanner.scan(chunks.map((c) => c.text));
    const stored: StoredChunk[] = [];
    let masked = 0;
    let blocked = 0;
    chunks.forEach((chunk, i) => {
      const result = scanned[i];
      if (result.masked) masked++;
      if (result.text === undefined) {
        blocked++;
        return;
      }
      stored.push({ ...chunk, text: result.text, commit, masked: result.masked });
    });
    if (this.embeddings.enabled && stored.length > 0) {
      const vectors = await this.embeddings.embed(stored.map(embeddedText));
      stored.forEach((chunk, i) => (chunk.embedding = vectors[i]));
    }
    return { chunks: stored, files: texts.length, masked: masked - blocked, blocked };
  }
}
