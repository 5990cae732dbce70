package org.postino.extensions.smtp.priority;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HeloHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailParametersHook;
import org.apache.james.smtpserver.JamesMessageHook;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every message James's queue priority ({@code MAIL_PRIORITY}, 0 lowest, 5 normal, 9 highest) as it is
 * accepted, before it enters the spool queue, following the policy in {@code conf/priority.properties}
 * ({@link PriorityPolicy} lists the keys, their defaults and the order the rules are tried in).
 *
 * <p>In one handler it:
 * <ul>
 *   <li>advertises the RFC 6710 {@code MT-PRIORITY} extension in its EHLO reply;</li>
 *   <li>reads the {@code MT-PRIORITY=<-9..9>} MAIL FROM parameter, refusing a malformed value with
 *       {@code 501 5.5.4}. A well-formed value is never refused: whether it counts is the policy's
 *       {@code mtPriority.trust} (by default only logged-in clients may raise their priority; anyone may lower
 *       it). If the parameter appears twice in one command, the last one counts;</li>
 *   <li>when the message has been received, decides its priority from the client (logged in or not), the
 *       parameter, the reverse-path, the size and the headers, and sets {@code MAIL_PRIORITY} on it.</li>
 * </ul>
 *
 * <p>Parameter {@code policy}: where the policy file is, as a James file URL; optional. Without it every key has
 * its default. A missing file, an unknown key or a bad value stops the server at start-up with one message naming
 * the file and every offending key and value. Declare the hook in the handler chain of every listener, before
 * {@code CoreCmdHandlerLoader} (so it runs before the message is queued):
 * <pre>{@code
 * <handlerchain>
 *     <handler class="org.postino.extensions.smtp.priority.PriorityHook">
 *         <policy>file://conf/priority.properties</policy>
 *     </handler>
 *     <handler class="org.apache.james.smtpserver.CoreCmdHandlerLoader"/>
 * </handlerchain>
 * }</pre>
 * Later mailets may still change the priority (e.g. {@code SetMailPriority}); the outgoing queue keeps whatever
 * the mail leaves the pipeline with.
 */
public class PriorityHook implements HeloHook, MailParametersHook, JamesMessageHook {

    static final ProtocolSession.AttachmentKey<MtPriority> MT_PRIORITY =
        ProtocolSession.AttachmentKey.of("POSTINO_MT_PRIORITY", MtPriority.class);
    static final String POLICY = "policy";
    static final String INVALID_MT_PRIORITY = "5.5.4 Invalid MT-PRIORITY value, expected an integer from -9 to 9";

    private static final Logger LOGGER = LoggerFactory.getLogger(PriorityHook.class);

    private final FileSystem fileSystem;
    private PriorityPolicy policy = PriorityPolicy.defaults();

    @Inject
    public PriorityHook(FileSystem fileSystem) {
        this.fileSystem = fileSystem;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        List<String> unknown = keys(config).stream()
            .filter(key -> !key.equals(POLICY) && !key.startsWith("[@"))
            .collect(Collectors.toList());
        if (!unknown.isEmpty()) {
            throw new ConfigurationException("PriorityHook: unknown parameter " + unknown + "; the only one is <"
                + POLICY + ">");
        }
        String location = config.getString(POLICY, null);
        if (location != null) {
            policy = PriorityPolicy.fromProperties(load(location), location);
        }
        LOGGER.info("Ingress priority: {}", policy);
    }

    private static Set<String> keys(Configuration config) {
        Set<String> keys = new TreeSet<>();
        config.getKeys().forEachRemaining(keys::add);
        return keys;
    }

    private Properties load(String location) throws ConfigurationException {
        Properties properties = new Properties();
        try {
            File file = fileSystem.getFile(location);
            try (Reader reader = Files.newBufferedReader(file.toPath(), StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
        } catch (IOException e) {
            throw new ConfigurationException("PriorityHook: policy = '" + location + "': cannot read it: " + e, e);
        }
        return properties;
    }

    @Override
    public Set<String> implementedEsmtpFeatures(SMTPSession session) {
        return Set.of(MtPriority.PARAMETER);
    }

    @Override
    public HookResult doHelo(SMTPSession session, String helo) {
        return HookResult.DECLINED;
    }

    @Override
    public String[] getMailParamNames() {
        return new String[] {MtPriority.PARAMETER};
    }

    @Override
    public HookResult doMailParameter(SMTPSession session, String paramName, String paramValue) {
        Optional<MtPriority> priority = MtPriority.parse(paramValue);
        if (priority.isEmpty()) {
            return HookResult.builder()
                .hookReturnCode(HookReturnCode.deny())
                .smtpReturnCode(SMTPRetCode.SYNTAX_ERROR_ARGUMENTS)
                .smtpDescription(INVALID_MT_PRIORITY)
                .build();
        }
        session.setAttachment(MT_PRIORITY, priority.get(), ProtocolSession.State.Transaction);
        return HookResult.DECLINED;
    }

    @Override
    public HookResult onMessage(SMTPSession session, Mail mail) {
        try {
            Decision decision = policy.decide(Client.of(session),
                session.getAttachment(MT_PRIORITY, ProtocolSession.State.Transaction), mail);
            mail.setAttribute(decision.priority().asAttribute());
            LOGGER.debug("{}: priority {}", mail.getName(), decision);
        } catch (MessagingException e) {
            // The message is queued anyway; without a decision it counts as normal (5).
            LOGGER.warn("{}: cannot read the message to decide its priority, leaving it normal", mail.getName(), e);
        }
        return HookResult.DECLINED;
    }

    PriorityPolicy policy() {
        return policy;
    }
}
