package org.postino.extensions.smtp;

import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

/** A hook's permanent refusal with an exact reply code and enhanced status text. */
final class SmtpRefusal {

    private SmtpRefusal() {
    }

    static HookResult of(String replyCode, String description) {
        return HookResult.builder()
            .hookReturnCode(HookReturnCode.deny())
            .smtpReturnCode(replyCode)
            .smtpDescription(description)
            .build();
    }
}
