/**
 * The delivery policy: retry schedule, queue lifetime, delay-notice thresholds, SMTP timeouts and TLS rule, per
 * destination domain. Parsed once, at start-up, from the delivery mailet's parameters by
 * {@link org.postino.mailets.delivery.policy.DeliveryPolicies#parse}; pure values and arithmetic, no I/O, no clock.
 */
package org.postino.mailets.delivery.policy;
