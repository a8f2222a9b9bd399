// The desired-state stage: files of one revision -> validated, normalized resources, or every
// problem at once. Pure: no I/O, no clock; the same input always gives the same output.
import { CALICO_API_VERSION, compareIssues, type CalicoVersion, type DesiredResource, type DesiredState, type Issue, type Issues, type JsonObject, type ResourceKey, type SourceFile } from '../domain/index.js';
import { IssueCollector } from './collector.js';
import { resourceHash } from './normalize.js';
import { checkDuplicates, checkTierReferences } from './cross-file.js';
import { resolveLimits, type Limits } from './limits.js';
import { parseFile, type ParsedFile } from './parse/parse-file.js';
import { validateDocument, type Candidate } from './validate-document.js';

export interface BuildDesiredInput {
  /** Within the size limits: the source selected them (source/select-files.ts). */
  readonly files: readonly SourceFile[];
  readonly calicoVersion: CalicoVersion;
  /** Overrides of DEFAULT_LIMITS. */
  readonly limits?: Partial<Limits>;
  /**
   * Parses of the previous revision (`DesiredResult.parsed`), by path and blob: files whose blob
   * did not change are not parsed again. Only files that carry a `blob` (read from Git) take part.
   */
  readonly parseCache?: ReadonlyMap<string, ParsedFile>;
}

export interface DesiredResult extends Issues {
  /** Empty whenever there is at least one error: an invalid revision applies nothing. */
  readonly state: DesiredState;
  /** This revision's parses, to pass as the next `parseCache` (files with a blob only). */
  readonly parsed: ReadonlyMap<string, ParsedFile>;
}

const EMPTY: DesiredState = { resources: new Map() };

export function buildDesiredState(input: BuildDesiredInput): DesiredResult {
  const limits = resolveLimits(input.limits);
  const files = [...input.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parsedFiles = new Map<string, ParsedFile>();

  const collector = new IssueCollector(new Map(files.map((f) => [f.path, f.content])), limits.maxDepth);
  const candidates: Candidate[] = [];
  const declaredTiers = new Set<string>();
  for (const file of files) {
    const cacheKey = file.blob === undefined ? undefined : `${file.path}\0${file.blob}`;
    const parsed = (cacheKey === undefined ? undefined : input.parseCache?.get(cacheKey)) ?? parseFile(file, limits);
    if (cacheKey !== undefined) parsedFiles.set(cacheKey, parsed);
    for (const issue of parsed.issues) collector.add(issue);
    for (const doc of parsed.documents) {
      if (doc.value === null || doc.value === undefined) continue;
      if (typeof doc.value !== 'object' || Array.isArray(doc.value)) {
        collector.add({
          severity: 'error',
          file: file.path,
          line: doc.line,
          column: 1,
          path: '',
          code: 'document',
          message: 'a document must be a mapping with apiVersion, kind, metadata and spec',
        });
        continue;
      }
      const declared = declaredTier(doc.value as JsonObject);
      if (declared) declaredTiers.add(declared);
      const view = collector.view({ file: file.path, document: doc.index, value: doc.value as JsonObject, calicoVersion: input.calicoVersion });
      const candidate = validateDocument(view, { line: doc.line, calicoVersion: input.calicoVersion });
      if (candidate) candidates.push(candidate);
    }
  }
  checkDuplicates(candidates, collector, input.calicoVersion);
  checkTierReferences(candidates, declaredTiers, collector);

  const issues = collector.resolve().sort(compareIssues);
  const errors = issues.filter((i) => i.severity === 'error');
  const warnings = issues.filter((i) => i.severity === 'warning');
  if (errors.length > 0) return { state: EMPTY, errors, warnings, parsed: parsedFiles };
  const resources = new Map<ResourceKey, DesiredResource>();
  for (const c of [...candidates].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    resources.set(c.key, desiredResource(c));
  }
  return { state: { resources }, errors, warnings, parsed: parsedFiles };
}

/**
 * The content hash is computed on first read (an own enumerable getter, so spreading or
 * JSON.stringify still see it): validating needs no hashes, planning reads every one.
 */
function desiredResource(c: Candidate): DesiredResource {
  let hash: string | undefined;
  const resource = { key: c.key, kindId: c.kind.id, manifest: c.manifest, source: c.source };
  return Object.defineProperty(resource, 'hash', { enumerable: true, get() {
      return (hash ??= resourceHash(c.manifest));
    } }) as DesiredResource;
}

function declaredTier(value: JsonObject): string | undefined {
  if (value['kind'] !== 'Tier' || value['apiVersion'] !== CALICO_API_VERSION) return undefined;
  const meta = value['metadata'];
  const name = typeof meta === 'object' && meta !== null && !Array.isArray(meta) ? meta['name'] : undefined;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Adds problems found while reading the files (oversized, not UTF-8, unreadable) to a result: any
 * error among them empties the state, as a validation error does.
 */
export function withSourceIssues(result: DesiredResult, issues: readonly Issue[]): DesiredResult {
  if (issues.length === 0) return result;
  const errors = [...issues.filter((i) => i.severity === 'error'), ...result.errors].sort(compareIssues);
  const warnings = [...issues.filter((i) => i.severity === 'warning'), ...result.warnings].sort(compareIssues);
  return { state: errors.length > 0 ? EMPTY : result.state, errors, warnings, parsed: result.parsed };
}
