package org.postino.mailets.once;

import javax.mail.MessagingException;

import org.apache.mailet.base.GenericMailet;

/** For mailets that take no parameters: a parameter given anyway is a configuration mistake. */
public final class NoParameters {

    private NoParameters() {
    }

    public static void check(GenericMailet mailet) throws MessagingException {
        if (mailet.getInitParameterNames().hasNext()) {
            throw new MessagingException(mailet.getMailetName() + ": takes no parameters, found '"
                + mailet.getInitParameterNames().next() + "'");
        }
    }
}
