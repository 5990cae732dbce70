package org.postino.extensions.webadmin;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;

/**
 * The JSON of {@code GET /postino/outgoing}: the queue grouped by destination domain (in alphabetical order), each
 * destination's mails oldest first, with counts by priority (highest first; "none" for mail without one). Times are
 * ISO-8601 in UTC; a value not known is {@code null}. {@code queueSize} is the whole queue's, {@code size} the number
 * of mails listed; {@code complete} is false when the queue held more mails than browsing it hands out.
 */
public record OutgoingQueueDTO(String queue, long queueSize, int size, boolean complete, Map<String, Integer> byPriority,
                               List<DestinationDTO> destinations) {

    public record DestinationDTO(String domain, int count, long oldestAgeSeconds, Map<String, Integer> byPriority,
                                 List<MailDTO> mails) {
    }

    public record MailDTO(String name, String sender, List<String> recipients, String arrived, long ageSeconds,
                          int attempts, Optional<String> lastError, Optional<String> nextAttempt,
                          Optional<Integer> priority) {
    }

    private static final Comparator<QueuedMail> OLDEST_FIRST =
        Comparator.comparing(QueuedMail::arrived).thenComparing(QueuedMail::name);

    static OutgoingQueueDTO of(String queue, OutgoingQueue.Listing listing, Instant now) {
        List<QueuedMail> mails = listing.mails();
        Map<String, List<QueuedMail>> byDestination = mails.stream()
            .collect(Collectors.groupingBy(QueuedMail::destination, TreeMap::new, Collectors.toList()));
        List<DestinationDTO> destinations = byDestination.entrySet().stream()
            .map(destination -> destination(destination.getKey(), destination.getValue(), now))
            .collect(Collectors.toUnmodifiableList());
        return new OutgoingQueueDTO(queue, listing.queueSize(), mails.size(), listing.complete(), byPriority(mails),
            destinations);
    }

    private static DestinationDTO destination(String domain, List<QueuedMail> mails, Instant now) {
        List<MailDTO> sorted = mails.stream()
            .sorted(OLDEST_FIRST)
            .map(mail -> mail(mail, now))
            .collect(Collectors.toUnmodifiableList());
        return new DestinationDTO(domain, sorted.size(), sorted.get(0).ageSeconds(), byPriority(mails), sorted);
    }

    /** Counts by priority, highest first, then "none". */
    static Map<String, Integer> byPriority(List<QueuedMail> mails) {
        Map<Integer, Integer> counts = new TreeMap<>(Comparator.reverseOrder());
        int none = 0;
        for (QueuedMail mail : mails) {
            if (mail.priority().isPresent()) {
                counts.merge(mail.priority().get(), 1, Integer::sum);
            } else {
                none++;
            }
        }
        Map<String, Integer> result = new LinkedHashMap<>();
        counts.forEach((priority, count) -> result.put(String.valueOf(priority), count));
        if (none > 0) {
            result.put("none", none);
        }
        return result;
    }

    private static MailDTO mail(QueuedMail mail, Instant now) {
        return new MailDTO(mail.name(),
            mail.sender().asString(),
            mail.recipients().stream().map(MailAddress::asString).collect(Collectors.toUnmodifiableList()),
            mail.arrived().toString(),
            mail.ageAt(now).getSeconds(),
            mail.attempts(),
            mail.lastError(),
            mail.nextAttempt().map(Instant::toString),
            mail.priority());
    }
}
