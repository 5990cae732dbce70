package org.postino.mailets.delivery.engine;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a copy of mail the engine gave up on to the processor named by {@code failureProcessor}, if any: its failed
 * recipients only, with the delivery state attributes (attempts, arrival, last error) that the {@code AttemptsAtLeast}
 * and {@code QueuedLongerThan} matchers read, for the operator to keep, forward or count. The sender's notice is sent
 * by the engine either way.
 */
final class FailedMail {

    private static final Logger LOGGER = LoggerFactory.getLogger(FailedMail.class);

    private final MailetContext context;
    private final Optional<String> processor;

    FailedMail(MailetContext context, Optional<String> processor) {
        this.context = context;
        this.processor = processor;
    }

    void handOver(Mail mail, DeliveryState state, List<RecipientResult> failed) throws MessagingException {
        if (processor.isEmpty() || failed.isEmpty()) {
            return;
        }
        Mail copy = mail.duplicate();
        try {
            copy.setRecipients(failed.stream().map(RecipientResult::recipient).collect(Collectors.toList()));
            state.writeTo(copy, Optional.empty());
            context.sendMail(copy, processor.get());
            LOGGER.info("{}: handed {} failed recipient(s) to the '{}' processor", mail.getName(), failed.size(), processor.get());
        } finally {
            LifecycleUtil.dispose(copy);
        }
    }
}
