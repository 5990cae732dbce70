/**
 * Routing: where mail for one destination domain goes. {@link org.postino.mailets.delivery.routing.MxResolver}
 * asks DNS (dnsjava, no James {@code DNSService}) and answers a {@link org.postino.mailets.delivery.routing.Route}:
 * MX hosts by preference with their IPv6 and IPv4 addresses, a null MX, or a DNS failure told apart as temporary
 * or permanent with the enhanced status code a notice reports. It never opens an SMTP connection.
 */
package org.postino.mailets.delivery.routing;
