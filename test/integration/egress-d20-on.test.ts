// Egress on Docker 20.x, iptables on, in a lab of its own (test/support/egress-suite.ts).
import { egressSuite } from '../support/egress-suite.js';

egressSuite('20', true);
