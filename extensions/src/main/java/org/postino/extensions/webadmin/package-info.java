/**
 * WebAdmin routes for operators: {@link org.postino.extensions.webadmin.OutgoingQueueRoutes} shows the delivery
 * engine's outgoing queue by destination and retries, deletes or returns its mails, like Postfix's
 * {@code postqueue}; {@link org.postino.extensions.webadmin.OutgoingQueueRoutesModule} adds it to WebAdmin.
 */
package org.postino.extensions.webadmin;
