// A deliberately leaky gateway for scripts/egress-leaky.ts: the real proxy, except that
// every requested name is looked up before it is checked (the order the real proxy must
// never use). Bundled like dist/egress-proxy.cjs and run in the same image layout.
import './egress-leaky-patch.js';
import '../../src/egress-proxy/main.js';
