package org.postino.mailets.delivery.dsn;

import org.apache.mailet.DsnParameters;

/**
 * How much of the original message a notice returns, from the RET parameter of RFC 3461 §4.3: the whole message
 * as a {@code message/rfc822} part, or its header as a {@code text/rfc822-headers} part (RFC 6522).
 */
public enum ReturnContent {
    FULL,
    HEADERS;

    /** RET=FULL is {@link #FULL}, RET=HDRS is {@link #HEADERS}. */
    public static ReturnContent from(DsnParameters.Ret ret) {
        return ret == DsnParameters.Ret.FULL ? FULL : HEADERS;
    }
}
