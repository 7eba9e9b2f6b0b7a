// @ts-check
/**
 * An example d7y evaluator plugin for `scheduler.algorithm: plugin`: ranks candidate parents by how fast their
 * hosts have actually been uploading pieces (the scheduler's `uploadPieceRate`, measured from the piece
 * reports of children), which helps when some hosts have much less upload bandwidth than they announce.
 *
 * Install: copy this file to `<server.pluginDir>/d7y-scheduler-plugin-evaluator.js` of the scheduler:
 *
 *   server:
 *     pluginDir: /usr/local/lib/d7y/plugins
 *   scheduler:
 *     algorithm: plugin
 *   plugins:
 *     evaluator:
 *       fastest-uploader:
 *         seedPenalty: 0.5        # optional: multiply a seed peer's rate by this (offload seeds); default 1
 *
 * Try it offline first against a scheduler's recorded decisions:
 *
 *   d7y records export --scheduler 127.0.0.1:8000 --out records.ndjson
 *   d7y evaluate --records records.ndjson --plugin examples/evaluator-fastest-uploader.js
 *
 * It is written only against the public plugin API (`@d7y/core/plugin-api`), used for types alone (JSDoc), so
 * the file runs from any folder without `node_modules`: the plugin object carries the brand that
 * `definePlugin()` would add, and the container token is the global symbol behind `TOKENS.Evaluator`.
 * See docs/write-an-evaluator.md.
 */

/** @typedef {import('@d7y/core/plugin-api').Evaluator} Evaluator */
/** @typedef {import('@d7y/core/plugin-api').EvaluatorPeer} EvaluatorPeer */
/** @typedef {import('@d7y/core/plugin-api').PeerState} PeerState */
/** @typedef {{ seedPenalty: number }} FastestUploaderConfig */

/** `TOKENS.Evaluator` of the plugin API: a global symbol, the same in every copy of the API. */
const EVALUATOR = Symbol.for('d7y.plugin-api.v1.Evaluator');

/** States in which a peer can never be a parent (Dragonfly's bad-parent rule, spec 4.5). */
const BAD_STATES = new Set(['Failed', 'Leave', 'Pending', 'ReceivedTiny', 'ReceivedSmall', 'ReceivedNormal', 'ReceivedEmpty']);

/**
 * True if the newest piece cost is more than 20 times the mean of the ones before it (Dragonfly's rule while
 * its cost window is not full).
 * @param {readonly number[]} costs
 */
function spiked(costs) {
  if (costs.length < 2) return false;
  const others = costs.slice(0, -1);
  const mean = others.reduce((sum, cost) => sum + cost, 0) / others.length;
  return costs[costs.length - 1] > 20 * mean;
}

/** @implements {Evaluator} */
class FastestUploaderEvaluator {
  /** @param {FastestUploaderConfig} config */
  constructor(config) {
    this.seedPenalty = config.seedPenalty;
  }

  /**
   * Best first: the highest observed upload rate; a host not yet observed counts as the median of the
   * observed ones (so it gets tried, but does not beat a host known to be fast). Ties: more finished pieces,
   * then input order.
   * @param {readonly EvaluatorPeer[]} candidates
   * @param {EvaluatorPeer} _child
   * @param {number} _totalPieceCount
   * @returns {EvaluatorPeer[]}
   */
  evaluateParents(candidates, _child, _totalPieceCount) {
    const known = candidates.map((c) => c.host.uploadPieceRate ?? 0).filter((rate) => rate > 0).sort((a, b) => a - b);
    const median = known.length > 0 ? known[Math.floor(known.length / 2)] : 0;
    /** @param {EvaluatorPeer} peer */
    const rate = (peer) => {
      const observed = peer.host.uploadPieceRate ?? 0;
      return (observed > 0 ? observed : median) * (peer.host.type === 'super' ? this.seedPenalty : 1);
    };
    return candidates
      .map((peer, index) => ({ peer, index, rate: rate(peer) }))
      .sort((a, b) => b.rate - a.rate || b.peer.finishedPieceCount - a.peer.finishedPieceCount || a.index - b.index)
      .map(({ peer }) => peer);
  }

  /**
   * Dragonfly's bad-parent rule without the three-sigma part: a bad state, or a spike in the newest piece cost.
   * @param {EvaluatorPeer} peer
   */
  isBadParent(peer) {
    return BAD_STATES.has(peer.state) || spiked(peer.pieceCosts);
  }
}

/** @type {import('@d7y/core/plugin-api').PluginConfigSchema<FastestUploaderConfig>} */
const configSchema = {
  safeParse(input) {
    const raw = /** @type {Record<string, unknown>} */ (input ?? {});
    /** @type {{ path: PropertyKey[], message: string }[]} */
    const issues = [];
    for (const key of Object.keys(raw)) if (key !== 'seedPenalty') issues.push({ path: [key], message: 'unknown option' });
    const seedPenalty = raw.seedPenalty ?? 1;
    if (typeof seedPenalty !== 'number' || !(seedPenalty >= 0 && seedPenalty <= 1)) issues.push({ path: ['seedPenalty'], message: 'expected a number between 0 and 1' });
    if (issues.length > 0) return { success: false, error: { issues } };
    return { success: true, data: { seedPenalty: /** @type {number} */ (seedPenalty) } };
  },
};

/** @type {import('@d7y/core/plugin-api').Plugin<FastestUploaderConfig>} */
export default {
  $$type: '@d7y/Plugin',
  version: 'v1',
  kind: 'evaluator',
  name: 'fastest-uploader',
  apiVersion: '1.0',
  configSchema,
  register(ctx) {
    ctx.container.register(EVALUATOR, { useFactory: () => new FastestUploaderEvaluator(ctx.config) });
    ctx.logger.info({ seedPenalty: ctx.config.seedPenalty }, 'ranking parents by observed upload rate');
  },
};
