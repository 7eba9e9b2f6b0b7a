/** Reading Prometheus text exposition in tests (the same parser `d7y up` uses for its status table). */
export { metricValue } from '../../core/src/common/promText.js';
