/**
 * Fairness between destinations: how many deliveries may run at once to one destination domain (a window that
 * grows with successes and shrinks with connection failures, as in Postfix), and which destinations are dead for a
 * while because none of their hosts could be reached. An in-memory optimisation of the delivery engine, never
 * needed for correctness: after a restart every destination starts afresh and is simply tried.
 */
package org.postino.mailets.delivery.fairness;
