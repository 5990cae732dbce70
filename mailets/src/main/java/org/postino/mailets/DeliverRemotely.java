package org.postino.mailets;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.james.queue.api.MailQueueName;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.postino.mailets.delivery.engine.DeliveryEngine;
import org.postino.mailets.delivery.policy.DeliveryPolicies;

/**
 * Delivers mail to remote domains: MX by preference (A/AAAA when there is none, nothing at all for
 * a null MX), one SMTP transaction per destination for all its recipients, a retry schedule with
 * a queue lifetime, "delayed" notices at set thresholds and a "failed" notice at the end, all in
 * RFC 3464 format and as the sender asked (NOTIFY, RET, ENVID, ORCPT).
 *
 * <p>The mailet itself only files each destination's share of a mail in the durable outgoing
 * queue; delivery threads take it from there, and everything a retry needs (attempts, arrival
 * time, notices sent) travels with the queued mail, so a restart resumes the schedule.
 *
 * <p>Parameters of the delivery policy (schedule, lifetime, notices, timeouts, TLS, per-domain
 * overrides) are documented in {@link DeliveryPolicies}; the engine's own are:
 * <ul>
 *   <li>{@code outgoingQueue}: default {@code outgoing};</li>
 *   <li>{@code deliveryThreads}: 1..500, default 10;</li>
 *   <li>{@code heloName}: the name given in EHLO and as Reporting-MTA; default this host's name;</li>
 *   <li>{@code dnsServers}: {@code 192.0.2.53, 192.0.2.54:5353}; default the system's resolvers;</li>
 *   <li>{@code dnsTimeout}: default {@code 10s};</li>
 *   <li>{@code noticeLanguage}: {@code english} (default) or {@code italian};</li>
 *   <li>{@code port}: port of the remote servers, default 25 (other values are for test set-ups).</li>
 * </ul>
 * <pre>{@code
 * <mailet match="All" class="org.postino.mailets.DeliverRemotely">
 *     <retrySchedule>5m, 10m, 20m, 40m, 1h, 2h, 4h...</retrySchedule>
 *     <lifetime>5d</lifetime>
 *     <delayNotices>4h, 1d</delayNotices>
 *     <domain.bank.example.tls>required</domain.bank.example.tls>
 * </mailet>
 * }</pre>
 */
public class DeliverRemotely extends GenericMailet {

    private final MailQueueFactory<?> queues;
    private final Clock clock;
    private DeliveryEngine engine;

    @Inject
    public DeliverRemotely(MailQueueFactory<?> queues, Clock clock) {
        this.queues = queues;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        engine = DeliveryEngine.start(getMailetConfig(), getMailetContext(), clock, new Random(), this::queue);
    }

    private MailQueue queue(String name) {
        return queues.createQueue(MailQueueName.of(name));
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        Map<String, List<MailAddress>> byDomain = new LinkedHashMap<>();
        for (MailAddress recipient : mail.getRecipients()) {
            byDomain.computeIfAbsent(recipient.getDomain().asString(), domain -> new ArrayList<>()).add(recipient);
        }
        for (Map.Entry<String, List<MailAddress>> destination : byDomain.entrySet()) {
            Mail share = byDomain.size() == 1 ? mail : mail.duplicate();
            share.setName(byDomain.size() == 1 ? mail.getName() : mail.getName() + "-" + destination.getKey());
            share.setRecipients(destination.getValue());
            try {
                engine.file(share);
            } finally {
                if (share != mail) {
                    // the queue holds its own copy now
                    LifecycleUtil.dispose(share);
                }
            }
        }
        mail.setState(Mail.GHOST);
    }

    @Override
    public void destroy() {
        if (engine != null) {
            engine.stop();
        }
    }

    @Override
    public String getMailetInfo() {
        return "Postino remote delivery engine";
    }
}
