/**
 * The `ml` evaluator: ranks candidate parents by a model's predicted piece throughput, run by
 * onnxruntime-node. One inference per decision (every candidate in one `[N, F]` batch); Dragonfly's
 * bad-parent rule from the default evaluator; the model file is watched and reloaded when it changes.
 */
import { stat } from 'node:fs/promises';

import { createError, ErrorCodes, parentFeatures, type Evaluator, type EvaluatorPeer, type Logger } from '@d7y/core/plugin-api';
import { DEFAULT_PIECE_COSTS_WINDOW_SIZE, isBadParent } from '@d7y/plugin-scheduler-default';
import { InferenceSession, Tensor } from 'onnxruntime-node';

import { LatencyWindow } from './LatencyWindow.js';
import { identityOf, loadModelFiles, sameIdentity, type FileIdentity, type ModelFiles } from './model/loadModelFiles.js';
import type { ModelMetadata } from './model/metadata.js';

/** Options of `MlEvaluator`. */
export interface MlEvaluatorOptions {
  /** The ONNX model (`d7y train --out`). */
  readonly modelPath: string;
  /** Its metadata; default `metadataPathFor(modelPath)`. */
  readonly metadataPath?: string;
  /** How often the model file is checked for changes (ms); 0 turns reloading off. Default 2000. */
  readonly reloadIntervalMs?: number;
  /** Capacity of the piece-cost window of the bad-parent rule (default 2000). */
  readonly pieceCostsWindowSize?: number;
  readonly logger?: Logger;
}

/** Inference cost so far. */
export interface InferenceStats {
  /** Decisions ranked (one inference each). */
  readonly decisions: number;
  /** Candidate rows scored. */
  readonly rows: number;
  /** Over the newest 1000 decisions, ms per inference (feature building + run). */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** A model in use; released once replaced and no inference is running on it. */
interface LiveModel {
  readonly session: InferenceSession;
  readonly metadata: ModelMetadata;
  readonly generation: number;
  /** The model file version this model was read from. */
  readonly identity: FileIdentity;
  inflight: number;
  retired: boolean;
}

const SESSION_OPTIONS: InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };

/**
 * Loads `files` into onnxruntime and runs it once on a row of zeros, so that the first scheduling decision does
 * not pay for onnxruntime's lazy initialisation (and a model that cannot run fails here, not mid-decision).
 */
async function createSession(files: ModelFiles): Promise<InferenceSession> {
  const F = files.metadata.features.length;
  try {
    const session = await InferenceSession.create(files.bytes, SESSION_OPTIONS);
    await session.run({ [files.metadata.input]: new Tensor('float32', new Float32Array(F), [1, F]) });
    return session;
  } catch (err) {
    throw createError(ErrorCodes.DATA_CORRUPTED, `onnxruntime cannot load ml evaluator model ${files.modelPath}: ${(err as Error).message}`, { cause: err });
  }
}

/** See the file comment. Construction reads and checks the model files synchronously and throws on a bad model. */
export class MlEvaluator implements Evaluator {
  readonly #options: MlEvaluatorOptions;
  readonly #logger: Logger | undefined;
  readonly #windowSize: number;
  readonly #latency = new LatencyWindow();
  #initial: ModelFiles | undefined;
  #model: LiveModel | undefined;
  #opening: Promise<LiveModel> | undefined;
  #reloading: Promise<boolean> = Promise.resolve(false);
  #poller: NodeJS.Timeout | undefined;
  #polling = false;
  /** The file version whose last reload failed; not retried until the file changes again. */
  #failedIdentity: FileIdentity | undefined;
  #closed = false;
  #decisions = 0;
  #rows = 0;
  /** The message of the last failed reload (the previous model stays in use), undefined after a success. */
  lastReloadError: string | undefined;

  constructor(options: MlEvaluatorOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#windowSize = options.pieceCostsWindowSize ?? DEFAULT_PIECE_COSTS_WINDOW_SIZE;
    this.#initial = loadModelFiles(options.modelPath, options.metadataPath);
  }

  /** Loads the model into onnxruntime and starts watching the file. Idempotent. */
  async open(): Promise<void> {
    await this.#ready();
  }

  /** Generation of the model in use: 1 for the first, +1 per successful reload; 0 before `open`. */
  get generation(): number {
    return this.#model?.generation ?? 0;
  }

  /** The metadata of the model in use. */
  get metadata(): ModelMetadata | undefined {
    return this.#model?.metadata ?? this.#initial?.metadata;
  }

  /** Candidates by predicted throughput, best first; ties keep input order. One inference for all of them. */
  async evaluateParents(candidates: readonly EvaluatorPeer[], child: EvaluatorPeer, totalPieceCount: number): Promise<readonly EvaluatorPeer[]> {
    if (candidates.length === 0) return [];
    const scores = await this.score(candidates, child, totalPieceCount);
    return candidates
      .map((peer, index) => ({ peer, index, score: Number.isFinite(scores[index]) ? scores[index] : -Infinity }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .map(({ peer }) => peer);
  }

  /** The model's prediction for each candidate, in input order (one batched inference). */
  async score(candidates: readonly EvaluatorPeer[], child: EvaluatorPeer, totalPieceCount: number): Promise<Float32Array> {
    const model = await this.#ready();
    const started = performance.now();
    const F = model.metadata.features.length;
    const input = new Float32Array(candidates.length * F);
    candidates.forEach((candidate, row) => input.set(parentFeatures(candidate, child, totalPieceCount), row * F));
    model.inflight++;
    try {
      const output = await model.session.run({ [model.metadata.input]: new Tensor('float32', input, [candidates.length, F]) });
      const scores = output[model.metadata.output]?.data;
      if (!(scores instanceof Float32Array) || scores.length !== candidates.length) {
        throw createError(ErrorCodes.INTERNAL, `ml evaluator model returned ${scores?.length ?? 'no'} scores for ${candidates.length} candidates`);
      }
      return scores;
    } finally {
      model.inflight--;
      if (model.retired && model.inflight === 0) void this.#release(model);
      this.#decisions++;
      this.#rows += candidates.length;
      this.#latency.add(performance.now() - started);
    }
  }

  /** Dragonfly's bad-parent rule, as the default evaluator applies it. */
  isBadParent(peer: EvaluatorPeer): boolean {
    return isBadParent(peer, this.#windowSize);
  }

  /**
   * Reads the model files again and swaps the model in if they load; on failure keeps the current model,
   * logs the error and sets `lastReloadError`. Resolves true when a new model is in use. Reloads run one at a time.
   */
  reload(): Promise<boolean> {
    this.#reloading = this.#reloading.then(() => this.#reloadNow());
    return this.#reloading;
  }

  /** Inference counts and latency percentiles. */
  stats(): InferenceStats {
    return { decisions: this.#decisions, rows: this.#rows, p50Ms: this.#latency.quantile(0.5), p99Ms: this.#latency.quantile(0.99) };
  }

  /** Stops watching and releases the model. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#poller);
    await this.#reloading.catch(() => undefined);
    this.#logger?.info({ ...this.stats(), generation: this.generation }, 'ml evaluator closed');
    const model = this.#model;
    this.#model = undefined;
    if (model) {
      model.retired = true;
      if (model.inflight === 0) await this.#release(model);
    }
  }

  #ready(): Promise<LiveModel> {
    if (this.#model) return Promise.resolve(this.#model);
    this.#opening ??= (async () => {
      const files = this.#initial ?? loadModelFiles(this.#options.modelPath, this.#options.metadataPath);
      const session = await createSession(files);
      this.#initial = undefined;
      this.#model = { session, metadata: files.metadata, generation: 1, identity: files.identity, inflight: 0, retired: false };
      this.#watch();
      this.#logger?.info({ model: files.modelPath, features: files.metadata.features.length, trainedAt: files.metadata.trainedAt }, 'ml evaluator model loaded');
      return this.#model;
    })();
    return this.#opening;
  }

  /**
   * Polls the model file every `reloadIntervalMs` and reloads when its identity (inode, size, mtime) differs
   * from the version in use. Compared with the loaded version rather than the previous poll, so a change made
   * right after loading is never missed; a version that failed to load is not retried until it changes.
   */
  #watch(): void {
    const interval = this.#options.reloadIntervalMs ?? 2000;
    if (interval <= 0 || this.#closed || this.#poller) return;
    this.#poller = setInterval(() => void this.#poll(), interval);
    this.#poller.unref();
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#closed) return;
    this.#polling = true;
    try {
      const current = await stat(this.#options.modelPath).then(identityOf, () => undefined);
      if (current === undefined) return; // removed: keep the model in use until a new file appears
      if (sameIdentity(current, this.#model?.identity) || sameIdentity(current, this.#failedIdentity)) return;
      await this.reload();
    } finally {
      this.#polling = false;
    }
  }

  async #reloadNow(): Promise<boolean> {
    if (this.#closed) return false;
    const current = await this.#ready();
    const attempted = await stat(this.#options.modelPath).then(identityOf, () => undefined);
    try {
      const files = loadModelFiles(this.#options.modelPath, this.#options.metadataPath);
      const session = await createSession(files);
      if (this.#closed) {
        await session.release();
        return false;
      }
      this.#model = { session, metadata: files.metadata, generation: current.generation + 1, identity: files.identity, inflight: 0, retired: false };
      current.retired = true;
      if (current.inflight === 0) await this.#release(current);
      this.lastReloadError = undefined;
      this.#failedIdentity = undefined;
      this.#logger?.info({ model: files.modelPath, generation: this.#model.generation }, 'ml evaluator model reloaded');
      return true;
    } catch (err) {
      this.lastReloadError = (err as Error).message;
      this.#failedIdentity = attempted;
      this.#logger?.error({ err, model: this.#options.modelPath }, 'ml evaluator model reload failed; keeping the previous model');
      return false;
    }
  }

  async #release(model: LiveModel): Promise<void> {
    try {
      await model.session.release();
    } catch (err) {
      this.#logger?.warn({ err }, 'releasing an onnxruntime session failed');
    }
  }
}
