package org.postino.server.jmap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.core.Username;
import org.apache.james.jmap.api.exception.StateMismatchException;
import org.apache.james.jmap.api.filtering.FilteringManagement;
import org.apache.james.jmap.api.filtering.Rule;
import org.apache.james.jmap.api.filtering.Rules;
import org.apache.james.jmap.api.filtering.Version;
import org.reactivestreams.Publisher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Users' filter rules (JMAP {@code Filter/set}, applied by James's {@code JMAPFiltering} mailet at delivery), one JSON
 * file per user under {@code <data.dir>/jmap/filters}, so a restart keeps them. A definition replaces the whole
 * list and bumps its version (0 for the first, {@link Version#INITIAL} when none was ever defined); a definition made
 * against another version than the current one fails ({@link StateMismatchException}), as JMAP's {@code ifInState}
 * asks. Files are replaced whole (write, force, rename); reads come from memory after the first.
 */
public class FileFilteringManagement implements FilteringManagement {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AccountFiles files;
    private final ConcurrentHashMap<Username, Rules> cache = new ConcurrentHashMap<>();

    public FileFilteringManagement(Path directory) {
        this.files = new AccountFiles(directory);
    }

    @Override
    public Publisher<Version> defineRulesForUser(Username username, List<Rule> rules, Optional<Version> ifInState) {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(rules, "rules");
        Set<Rule.Id> ids = new HashSet<>();
        for (Rule rule : rules) {
            if (!ids.add(rule.getId())) {
                throw new IllegalArgumentException("two rules have the id " + rule.getId().asString());
            }
        }
        List<Rule> copy = List.copyOf(rules);
        return Mono.fromCallable(() -> cache.compute(username, (user, cached) -> {
                Rules current = cached == null ? read(user) : cached;
                ifInState.ifPresent(expected -> StateMismatchException.checkState(
                    expected.equals(current.getVersion()),
                    "the rules are at version " + current.getVersion().asString() + ", not " + expected.asString()));
                Rules updated = new Rules(copy, new Version(current.getVersion().asInteger() + 1));
                write(user, updated);
                return updated;
            }).getVersion())
            .subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Publisher<Rules> listRulesForUser(Username username) {
        Objects.requireNonNull(username, "username");
        return Mono.fromCallable(() -> cache.computeIfAbsent(username, this::read)).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public Publisher<Version> getLatestVersion(Username username) {
        return Mono.from(listRulesForUser(username)).map(Rules::getVersion);
    }

    private Rules read(Username username) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file(username), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return new Rules(List.of(), Version.INITIAL);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the filter rules of " + username.asString(), e);
        }
        List<Rule> rules = new ArrayList<>();
        for (JsonNode node : root.get("rules")) {
            List<String> mailboxIds = new ArrayList<>();
            node.get("mailboxIds").forEach(id -> mailboxIds.add(id.asText()));
            rules.add(Rule.builder()
                .id(Rule.Id.of(node.get("id").asText()))
                .name(node.get("name").asText())
                .condition(Rule.Condition.of(Rule.Condition.Field.of(node.get("field").asText()),
                    Rule.Condition.Comparator.of(node.get("comparator").asText()), node.get("value").asText()))
                .action(Rule.Action.of(Rule.Action.AppendInMailboxes.withMailboxIds(mailboxIds)))
                .build());
        }
        return new Rules(rules, new Version(root.get("version").asInt()));
    }

    private void write(Username username, Rules rules) {
        ObjectNode root = JSON.createObjectNode();
        root.put("user", username.asString());
        root.put("version", rules.getVersion().asInteger());
        ArrayNode list = root.putArray("rules");
        for (Rule rule : rules.getRules()) {
            ObjectNode node = list.addObject();
            node.put("id", rule.getId().asString());
            node.put("name", rule.getName());
            node.put("field", rule.getCondition().getField().asString());
            node.put("comparator", rule.getCondition().getComparator().asString());
            node.put("value", rule.getCondition().getValue());
            ArrayNode mailboxes = node.putArray("mailboxIds");
            rule.getAction().getAppendInMailboxes().getMailboxIds().forEach(mailboxes::add);
        }
        try {
            files.replace(file(username), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the filter rules of " + username.asString(), e);
        }
    }

    private Path file(Username username) {
        return files.path(username.asString(), ".json");
    }
}
