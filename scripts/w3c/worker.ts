// The W3C suite's test service as a Cloudflare Worker, behind otelite/cloudflare's instrument().
import { instrument } from '../../src/cloudflare/index';
import { config, service } from './service';

export default instrument({ fetch: service }, config);
