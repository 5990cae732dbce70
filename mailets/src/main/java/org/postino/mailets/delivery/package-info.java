/**
 * Postino's remote delivery engine, in small pieces kept apart as Postfix keeps its programs apart:
 * <ul>
 *   <li>{@code policy}: the retry schedule, queue lifetime, delay-notice thresholds, timeouts and TLS
 *       rules, parsed once from the mailet's parameters, with per-destination overrides;</li>
 *   <li>{@code routing}: where a destination domain's mail goes (MX by preference, A/AAAA fallback,
 *       null MX), with DNS failures told apart as temporary or permanent;</li>
 *   <li>{@code smtp}: one SMTP transaction to one host, with per-recipient outcomes;</li>
 *   <li>{@code fairness}: per-destination concurrency windows and dead-destination backoff, in memory;</li>
 *   <li>{@code dsn}: RFC 3464 delivery status notifications (delayed, failed, delivered/relayed).</li>
 * </ul>
 */
package org.postino.mailets.delivery;
