/**
 * Header edits that never depend on, nor change, the body of a message as it was received.
 *
 * <p>Mail from the Internet is often not valid MIME (broken {@code Content-Type} parameter lists, multiparts
 * without their start boundary, raw 8-bit bytes in headers). javax.mail's {@code saveChanges()} parses all of that
 * and throws, and James writes header lines back as US-ASCII. Postino's mailets add their headers through
 * {@link org.postino.mailets.message.MessageHeaders}, after which the mail carries a
 * {@link org.postino.mailets.message.HeaderSafeMessage}; {@link org.postino.mailets.message.MessageBytes} reads any
 * message's bytes without either problem.
 */
package org.postino.mailets.message;
