package org.postino.extensions.webadmin;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;

/**
 * The JSON of {@code GET /postino/outgoing}: the queue grouped by destination domain (in alphabetical order), each
 * destination's mails oldest first. Times are ISO-8601 in UTC; a value not known is {@code null}.
 */
public record OutgoingQueueDTO(String queue, int size, List<DestinationDTO> destinations) {

    public record DestinationDTO(String domain, int count, long oldestAgeSeconds, List<MailDTO> mails) {
    }

    public record MailDTO(String name, String sender, List<String> recipients, String arrived, long ageSeconds,
                          int attempts, Optional<String> lastError, Optional<String> nextAttempt,
                          Optional<Integer> priority) {
    }

    private static final Comparator<QueuedMail> OLDEST_FIRST =
        Comparator.comparing(QueuedMail::arrived).thenComparing(QueuedMail::name);

    static OutgoingQueueDTO of(String queue, List<QueuedMail> mails, Instant now) {
        Map<String, List<QueuedMail>> byDestination = mails.stream()
            .collect(Collectors.groupingBy(QueuedMail::destination, TreeMap::new, Collectors.toList()));
        List<DestinationDTO> destinations = byDestination.entrySet().stream()
            .map(destination -> destination(destination.getKey(), destination.getValue(), now))
            .collect(Collectors.toUnmodifiableList());
        return new OutgoingQueueDTO(queue, mails.size(), destinations);
    }

    private static DestinationDTO destination(String domain, List<QueuedMail> mails, Instant now) {
        List<MailDTO> sorted = mails.stream()
            .sorted(OLDEST_FIRST)
            .map(mail -> mail(mail, now))
            .collect(Collectors.toUnmodifiableList());
        return new DestinationDTO(domain, sorted.size(), sorted.get(0).ageSeconds(), sorted);
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
