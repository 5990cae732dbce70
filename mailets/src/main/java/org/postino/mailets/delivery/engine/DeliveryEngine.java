package org.postino.mailets.delivery.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import javax.mail.MessagingException;

import org.apache.james.lifecycle.api.LifecycleUtil;
import org.apache.james.queue.api.MailQueue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetConfig;
import org.apache.mailet.MailetContext;
import org.postino.mailets.delivery.dsn.DsnWriter;
import org.postino.mailets.delivery.fairness.DestinationGate;
import org.postino.mailets.delivery.policy.DeliveryPolicies;
import org.postino.mailets.delivery.routing.MxResolver;
import org.postino.mailets.delivery.smtp.SmtpClient;
import org.postino.mailets.delivery.smtp.TrustingTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/** Wires the pieces together and runs the delivery threads on the outgoing queue. */
public final class DeliveryEngine {

    private static final Logger LOGGER = LoggerFactory.getLogger(DeliveryEngine.class);

    private final MailQueue queue;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Scheduler taker;
    private final Disposable workers;

    private DeliveryEngine(MailQueue queue, Clock clock, Scheduler scheduler, Scheduler taker, Disposable workers) {
        this.queue = queue;
        this.clock = clock;
        this.scheduler = scheduler;
        this.taker = taker;
        this.workers = workers;
    }

    public static DeliveryEngine start(MailetConfig config, MailetContext context, Clock clock, Random random,
                                       Function<String, MailQueue> queues) throws MessagingException {
        // Every mistake at once: the engine's own parameters and the delivery policy's.
        List<String> problems = new ArrayList<>();
        EngineSettings parsedSettings = null;
        DeliveryPolicies parsedPolicies = null;
        try {
            parsedSettings = EngineSettings.from(config);
        } catch (MessagingException e) {
            problems.add(e.getMessage());
        }
        try {
            parsedPolicies = DeliveryPolicies.from(config, EngineSettings.KEYS);
        } catch (MessagingException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new MessagingException(String.join("\n", problems));
        }
        EngineSettings settings = parsedSettings;
        DeliveryPolicies policies = parsedPolicies;
        MailQueue queue = queues.apply(settings.outgoingQueue);
        MxResolver resolver = settings.dnsServers
            .map(servers -> MxResolver.forServers(servers, settings.dnsTimeout))
            .orElseGet(() -> MxResolver.systemDefault(settings.dnsTimeout));
        SmtpClient client = new SmtpClient(TrustingTls.acceptingAnyCertificate());
        Notices notices = new Notices(context, DsnWriter.of(clock), clock, settings.heloName, settings.noticeLanguage);
        OutgoingWorker worker = new OutgoingWorker(queue, policies, resolver,
            new DestinationAttempt(client, settings.heloName, settings.port), new DestinationGate(settings.fairness, clock),
            notices, new FailedMail(context, settings.failureProcessor), clock, random);
        Scheduler scheduler = Schedulers.newBoundedElastic(settings.deliveryThreads, Integer.MAX_VALUE, "remote-delivery");
        // Taking mail from a JMS queue blocks: it gets a thread of its own, never the caller's.
        Scheduler taker = Schedulers.newSingle("remote-delivery-queue");
        Disposable workers = Flux.from(queue.deQueue())
            .subscribeOn(taker)
            .flatMap(item -> Mono.fromRunnable(() -> process(worker, item)).subscribeOn(scheduler), settings.deliveryThreads)
            .doOnError(e -> LOGGER.error("Reading the '{}' queue failed; reading again shortly", settings.outgoingQueue, e))
            // A broken read must not stop remote delivery until the next restart.
            .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofMinutes(1)))
            .subscribe();
        LOGGER.info("Remote delivery started: queue '{}', {} threads, {}", settings.outgoingQueue, settings.deliveryThreads,
            settings.fairness);
        return new DeliveryEngine(queue, clock, scheduler, taker, workers);
    }

    private static void process(OutgoingWorker worker, MailQueue.MailQueueItem item) {
        Mail mail = item.getMail();
        try {
            worker.process(mail);
            item.done(MailQueue.MailQueueItem.CompletionStatus.SUCCESS);
        } catch (Exception e) {
            // Could not even put it back: let the queue hand it out again.
            LOGGER.error("Could not process {}; the queue will deliver it again", mail.getName(), e);
            try {
                item.done(MailQueue.MailQueueItem.CompletionStatus.RETRY);
            } catch (Exception ignored) {
                LOGGER.error("Could not return {} to the queue", mail.getName(), ignored);
            }
        } finally {
            // Releases the message's temporary storage now rather than whenever the GC runs.
            LifecycleUtil.dispose(mail);
        }
    }

    /** Files a mail (all recipients in one domain) for its first attempt. */
    public void file(Mail mail) throws MessagingException {
        DeliveryState.arriving(clock.instant()).writeTo(mail, java.util.Optional.empty());
        queue.enQueue(mail);
    }

    public MailQueue queue() {
        return queue;
    }

    public void stop() {
        workers.dispose();
        scheduler.dispose();
        taker.dispose();
    }
}
