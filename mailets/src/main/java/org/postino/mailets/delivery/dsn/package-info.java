/**
 * Delivery status notifications: {@link org.postino.mailets.delivery.dsn.DsnWriter} turns a
 * {@link org.postino.mailets.delivery.dsn.DeliveryReport} into an RFC 6522 {@code multipart/report} carrying an
 * RFC 3464 {@code message/delivery-status}; it decides nothing about whether or when a notice is due.
 */
package org.postino.mailets.delivery.dsn;
