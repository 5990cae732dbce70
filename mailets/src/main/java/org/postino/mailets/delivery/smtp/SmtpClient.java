package org.postino.mailets.delivery.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLSocketFactory;

import org.apache.james.core.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP transaction to one host (RFC 5321): greeting, EHLO (HELO when refused), STARTTLS when
 * offered (or required by policy), MAIL, one RCPT per recipient, DATA. Each recipient ends with its
 * own outcome; a failure before any recipient was decided is a failure of the host, so the caller
 * tries the next one. Once the server has accepted the data, the message counts as delivered even
 * if the connection breaks while saying goodbye.
 *
 * <p>Certificates are not verified: like other MTAs doing opportunistic TLS (RFC 7435), encryption
 * protects against passive listeners; {@link Settings#tlsRequired()} only guarantees that nothing
 * is sent in clear.
 */
public final class SmtpClient {

    private static final Logger LOGGER = LoggerFactory.getLogger(SmtpClient.class);

    /** How to talk: timeouts, our name, and whether TLS is required. */
    public static final class Settings {
        private final Duration connectTimeout;
        private final Duration commandTimeout;
        private final Duration dataTimeout;
        private final String heloName;
        private final boolean tlsRequired;

        private Settings(Duration connectTimeout, Duration commandTimeout, Duration dataTimeout, String heloName, boolean tlsRequired) {
            this.connectTimeout = connectTimeout;
            this.commandTimeout = commandTimeout;
            this.dataTimeout = dataTimeout;
            this.heloName = heloName;
            this.tlsRequired = tlsRequired;
        }

        public static Settings of(Duration connectTimeout, Duration commandTimeout, Duration dataTimeout,
                                  String heloName, boolean tlsRequired) {
            return new Settings(connectTimeout, commandTimeout, dataTimeout, heloName, tlsRequired);
        }

        public boolean tlsRequired() {
            return tlsRequired;
        }
    }

    /** Opens the message for one sending; called once per DATA. */
    @FunctionalInterface
    public interface MessageSource {
        InputStream open() throws IOException;
    }

    private final SSLSocketFactory tlsFactory;

    public SmtpClient(SSLSocketFactory tlsFactory) {
        this.tlsFactory = tlsFactory;
    }

    public TransactionResult deliver(InetSocketAddress address, String host, Settings settings, Envelope envelope,
                                     MessageSource message) {
        TransactionResult result = attempt(address, host, settings, envelope, message, true);
        if (result.hostFailure().filter(reply -> reply.lines().get(0).startsWith(TLS_FAILED)).isPresent()
            && !settings.tlsRequired) {
            LOGGER.info("TLS with {} failed ({}); retrying without TLS", host, result.hostFailure().get());
            return attempt(address, host, settings, envelope, message, false);
        }
        return result;
    }

    private static final String TLS_FAILED = "4.7.0 TLS negotiation failed";

    private TransactionResult attempt(InetSocketAddress address, String host, Settings settings, Envelope envelope,
                                      MessageSource message, boolean tlsAllowed) {
        Socket socket = new Socket();
        try {
            socket.connect(address, (int) settings.connectTimeout.toMillis());
        } catch (IOException e) {
            closeQuietly(socket);
            return TransactionResult.hostFailed(host, SmtpReply.local(421, "4.4.1 cannot connect to " + address + ": " + e.getMessage()));
        }
        try (SmtpConnection connection = new SmtpConnection(socket)) {
            connection.timeout((int) settings.commandTimeout.toMillis());
            return session(connection, host, settings, envelope, message, tlsAllowed);
        } catch (IOException e) {
            return TransactionResult.hostFailed(host, SmtpReply.local(421, "4.4.2 connection with " + host + " broken: " + e.getMessage()));
        }
    }

    private TransactionResult session(SmtpConnection connection, String host, Settings settings, Envelope envelope,
                                      MessageSource message, boolean tlsAllowed) throws IOException {
        SmtpReply greeting = connection.read();
        if (greeting.code() != 220) {
            quit(connection);
            return TransactionResult.hostFailed(host, greeting);
        }
        SmtpReply ehlo = hello(connection, settings.heloName);
        if (!ehlo.isPositive()) {
            quit(connection);
            return TransactionResult.hostFailed(host, ehlo);
        }
        Optional<SmtpReply> tlsProblem = Optional.empty();
        if (ehlo.advertises("STARTTLS") && tlsAllowed) {
            tlsProblem = startTls(connection, host);
            if (tlsProblem.isEmpty()) {
                ehlo = hello(connection, settings.heloName);
            }
        } else if (settings.tlsRequired) {
            tlsProblem = Optional.of(SmtpReply.local(450, "4.7.10 TLS required by policy for " + host + ", which does not offer STARTTLS"));
        }
        if (tlsProblem.isPresent()) {
            quit(connection);
            return TransactionResult.hostFailed(host, tlsProblem.get());
        }
        return transaction(connection, host, settings, envelope, message, ehlo);
    }

    private Optional<SmtpReply> startTls(SmtpConnection connection, String host) throws IOException {
        SmtpReply reply = connection.command("STARTTLS");
        if (reply.code() != 220) {
            return Optional.of(SmtpReply.local(450, TLS_FAILED + ": " + host + " answered " + reply.text()));
        }
        try {
            connection.startTls(tlsFactory, host);
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(SmtpReply.local(450, TLS_FAILED + " with " + host + ": " + e.getMessage()));
        }
    }

    private TransactionResult transaction(SmtpConnection connection, String host, Settings settings, Envelope envelope,
                                          MessageSource message, SmtpReply ehlo) throws IOException {
        String sender = envelope.sender().asOptional().map(SmtpAddresses::mailbox).orElse("");
        SmtpReply mailFrom = connection.command("MAIL FROM:<" + sender + ">" + envelope.mailFromParameters(ehlo));
        if (!mailFrom.isPositive()) {
            quit(connection);
            return TransactionResult.completed(host, sameFor(envelope.recipients(), mailFrom), connection.isTls());
        }
        List<RecipientOutcome> outcomes = new ArrayList<>();
        List<MailAddress> accepted = new ArrayList<>();
        for (MailAddress recipient : envelope.recipients()) {
            SmtpReply reply = connection.command("RCPT TO:<" + SmtpAddresses.mailbox(recipient) + ">" + envelope.rcptToParameters(recipient, ehlo));
            if (reply.isPositive()) {
                accepted.add(recipient);
            } else {
                outcomes.add(RecipientOutcome.of(recipient, reply));
            }
        }
        if (accepted.isEmpty()) {
            quit(connection);
            return TransactionResult.completed(host, outcomes, connection.isTls());
        }
        SmtpReply data = connection.command("DATA");
        if (data.code() != 354) {
            outcomes.addAll(sameFor(accepted, data));
            quit(connection);
            return TransactionResult.completed(host, outcomes, connection.isTls());
        }
        connection.timeout((int) settings.dataTimeout.toMillis());
        SmtpReply end;
        try (InputStream in = message.open()) {
            end = connection.data(in);
        }
        outcomes.addAll(sameFor(accepted, end));
        quit(connection);
        return TransactionResult.completed(host, outcomes, connection.isTls());
    }

    private static SmtpReply hello(SmtpConnection connection, String heloName) throws IOException {
        SmtpReply ehlo = connection.command("EHLO " + heloName);
        if (ehlo.code() >= 500) {
            return connection.command("HELO " + heloName);
        }
        return ehlo;
    }

    private static List<RecipientOutcome> sameFor(List<MailAddress> recipients, SmtpReply reply) {
        List<RecipientOutcome> outcomes = new ArrayList<>();
        recipients.forEach(recipient -> outcomes.add(RecipientOutcome.of(recipient, reply)));
        return outcomes;
    }

    /** After the decisive reply a failing QUIT changes nothing. */
    private static void quit(SmtpConnection connection) {
        try {
            connection.command("QUIT");
        } catch (IOException e) {
            LOGGER.debug("QUIT failed", e);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOGGER.debug("close failed", e);
        }
    }
}
