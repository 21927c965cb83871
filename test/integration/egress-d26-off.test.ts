// Egress on Docker 26.x, iptables off, in a lab of its own (test/support/egress-suite.ts).
import { egressSuite } from '../support/egress-suite.js';

egressSuite('26', false);
