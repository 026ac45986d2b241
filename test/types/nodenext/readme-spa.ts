// README.md, quick start 2 (an SPA), the distro, as it is there (package-types.test.ts checks
// that README.md still contains the code below the marker).
// ---- README.md ----
import { init } from 'otelite/web';

const otelite = init({
  serviceName: 'shop-web',
  endpoint: 'https://collector.example.com',
  propagateTo: ['https://api.example.com'],
  instrumentations: { xhr: false },
});
