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
 *   <li>{@code port}: port of the remote servers, default 25 (other values are for test set-ups);</li>
 *   <li>{@code destinationConcurrency}: 1..500, default 20: the most deliveries at once to one destination domain;</li>
 *   <li>{@code initialDestinationConcurrency}: 1..{@code destinationConcurrency}, default 5 (or the limit when it is
 *       lower): where a destination's window starts;</li>
 *   <li>{@code deadDestinationFailures}: 1..1000, default 5: attempts in a row that reach no host of a destination
 *       before it counts as dead;</li>
 *   <li>{@code deadDestinationBackoff}: greater than zero, at most {@code 1d}, default {@code 5m}: how long a dead
 *       destination is left alone;</li>
 *   <li>{@code failureProcessor}: default none. The processor that gets a copy of every mail given up on (failed
 *       recipients only, with the attempts, arrival time and last error as attributes), beside the sender's notice:
 *       to keep it in a repository, say, using the {@code AttemptsAtLeast} and {@code QueuedLongerThan} matchers of
 *       postino-matchers to sort it;</li>
 *   <li>{@code deadDestinationMaxBackoff}: from {@code deadDestinationBackoff} to {@code 1d}, default {@code 1h} (or
 *       the backoff when it is longer): the cap when the backoff doubles.</li>
 * </ul>
 * <pre>{@code
 * <mailet match="All" class="org.postino.mailets.DeliverRemotely">
 *     <retrySchedule>5m, 10m, 20m, 40m, 1h, 2h, 4h...</retrySchedule>
 *     <lifetime>5d</lifetime>
 *     <delayNotices>4h, 1d</delayNotices>
 *     <domain.bank.example.tls>required</domain.bank.example.tls>
 *     <deliveryThreads>50</deliveryThreads>
 *     <destinationConcurrency>20</destinationConcurrency>
 *     <deadDestinationBackoff>5m</deadDestinationBackoff>
 * </mailet>
 * }</pre>
 *
 * <h2>Fairness</h2>
 * One destination must not hold up the others. Each destination domain has a window of deliveries allowed at once,
 * as in Postfix: it starts at {@code initialDestinationConcurrency}, grows by one with each attempt that reached a host
 * (whatever the host said about the recipients) up to {@code destinationConcurrency}, and shrinks by one, down to 1,
 * with each attempt that reached none; a destination idle for a minute starts again from the initial window. The limit
 * only matters when {@code deliveryThreads} is larger than it. A mail whose destination is at its limit does not wait
 * on a delivery thread: it goes back in the queue to wait its turn, not counted as an attempt, for as long as the mails
 * ahead of it (same or higher priority) should take at that destination's pace (from 1 s to 2 min, plus up to 2 s of
 * jitter): a backlog of thousands comes back at about the pace it can be delivered, and an urgent mail behind it waits
 * only for the next free slot. Across destinations the queue's order (priority, then age) decides, and a destination
 * at its limit never holds a thread, so every destination with a free slot gets the next thread that is free.
 *
 * <p>An attempt "reaches no host" when every host and address was refused, timed out, lost the connection or refused
 * the greeting or EHLO; replies to MAIL, RCPT or DATA, DNS failures and TLS problems do not count. After
 * {@code deadDestinationFailures} such attempts in a row the destination is dead for {@code deadDestinationBackoff}:
 * its mail goes back in the queue until the backoff is over, with no connection and no attempt counted, though the
 * lifetime still applies (mail whose lifetime ends meanwhile is returned with a {@code failed} notice, status 4.4.1,
 * and delay notices fall due as usual). Then it is tried again, one delivery at a time; each failure doubles the
 * backoff up to {@code deadDestinationMaxBackoff}, the first attempt that reaches a host revives it. This is an
 * in-memory optimisation, never needed for correctness: after a restart every destination is simply tried.
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
