// Egress on Docker 28.x, iptables off, in a lab of its own (test/support/egress-suite.ts).
import { egressSuite } from '../support/egress-suite.js';

egressSuite('28', false);
