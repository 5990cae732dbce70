package org.postino.extensions.search;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import javax.mail.Flags;

import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.json.JsonpMapper;
import org.opensearch.client.opensearch._types.SortOptions;
import org.opensearch.client.opensearch._types.query_dsl.Query;

import jakarta.json.JsonNumber;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonParser;
import reactor.core.publisher.Flux;

/**
 * Reads every hit of a query from the mail index, page by page (search_after), taking only doc values: what IMAP
 * SEARCH, JMAP Email/query and the catch-up's comparison need are ids and numbers, never a message's text.
 *
 * <p>Built for queries that match a large part of a big mailbox (a TEXT word found in a quarter of 100,000 messages):
 * pages as large as the index allows ({@link MailIndexClient#pageSize()}), so that the query runs once rather than
 * once per 10,000 hits, and the response read as a stream straight into {@link IndexHit}s. Going through the typed
 * client's objects (a JSON tree per hit) cost the server more than OpenSearch's whole search: measured at 100,000
 * messages, TEXT with 23,618 hits, 99 ms at the IMAP client against 39 ms of OpenSearch time.
 *
 * <p>A response that is not complete (a shard failed or timed out) is an error, never fewer hits.
 */
final class HitScanner {
    /** The first page of a search that wants few hits (JMAP's window) asks for at least this many. */
    private static final int MIN_PAGE = 100;

    private final MailIndexClient index;

    HitScanner(MailIndexClient index) {
        this.index = index;
    }

    /**
     * One hit: the values the caller asked for (-1 or null when not asked for or absent) and its sort values; its flags
     * when any flag field was asked for (without \Recent, which the index does not keep up to date).
     */
    record IndexHit(long uid, String messageId, long modSeq, Flags flags, List<JsonValue> sortValues) {
    }

    /** The flag fields a caller may ask for: {@link IndexHit#flags()} is built from them. */
    static final List<String> FLAG_FIELDS = List.of("answered", "deleted", "draft", "flagged", "seen", "userFlags");

    /**
     * Every hit of the query in sort order, page by page, with these fields' doc values ({@code uid}, {@code messageId},
     * {@code modSeq}); {@code expected} is how many hits the caller will probably take (the first page's size).
     */
    Flux<IndexHit> scan(Query query, List<SortOptions> sorts, long max, long expected, List<String> includes) {
        // the uid is a sort key of most scans: read from the hit's sort values, it needs no doc value
        int uidSort = uidSortPosition(sorts);
        List<String> docValueFields = includes.stream()
            .filter(field -> !(field.equals("uid") && uidSort >= 0))
            .toList();
        return Flux.<List<IndexHit>>create(sink -> {
            List<JsonValue> after = null;
            long emitted = 0;
            int pageSize = index.pageSize();
            int size = (int) Math.max(MIN_PAGE, Math.min(pageSize, Math.min(expected, max)));
            try {
                while (!sink.isCancelled() && emitted < max) {
                    List<IndexHit> page = page(query, sorts, size, after, docValueFields, uidSort);
                    List<IndexHit> taken = page.size() > max - emitted ? page.subList(0, (int) (max - emitted)) : page;
                    emitted += taken.size();
                    if (!taken.isEmpty()) {
                        sink.next(taken);
                    }
                    if (page.size() < size) {
                        break;
                    }
                    after = page.get(page.size() - 1).sortValues();
                    size = pageSize;
                }
                sink.complete();
            } catch (Exception e) {
                sink.error(e);
            }
        }).concatMapIterable(page -> page);
    }

    private List<IndexHit> page(Query query, List<SortOptions> sorts, int size, List<JsonValue> after,
                                List<String> docValueFields, int uidSort) throws IOException {
        Request request = new Request("POST", "/" + index.indexName() + "/_search");
        // a shard that fails must fail the search, not shorten its answer
        request.addParameter("allow_partial_search_results", "false");
        request.setJsonEntity(body(query, sorts, size, after, docValueFields));
        Response response = index.restClient().performRequest(request);
        try (InputStream in = response.getEntity().getContent();
             JsonParser parser = index.mapper().jsonProvider().createParser(in)) {
            return hits(parser, uidSort);
        }
    }

    private String body(Query query, List<SortOptions> sorts, int size, List<JsonValue> after, List<String> docValueFields) {
        JsonpMapper mapper = index.mapper();
        StringWriter out = new StringWriter();
        try (JsonGenerator json = mapper.jsonProvider().createGenerator(out)) {
            json.writeStartObject();
            json.writeKey("query");
            query.serialize(json, mapper);
            json.writeStartArray("sort");
            for (SortOptions sort : sorts) {
                sort.serialize(json, mapper);
            }
            json.writeEnd();
            json.write("size", size);
            json.write("track_total_hits", false);
            // values from doc values only: any stored field of a hit (even its _id) means decompressing the block
            // that holds its whole message (_source)
            json.write("_source", false);
            json.write("stored_fields", "_none_");
            json.writeStartArray("docvalue_fields");
            docValueFields.forEach(json::write);
            json.writeEnd();
            if (after != null) {
                json.writeStartArray("search_after");
                after.forEach(json::write);
                json.writeEnd();
            }
            json.writeEnd();
        }
        return out.toString();
    }

    /** The hits of a search response, read as a stream. */
    static List<IndexHit> hits(JsonParser parser, int uidSort) throws IOException {
        List<IndexHit> hits = new ArrayList<>();
        expect(parser, JsonParser.Event.START_OBJECT);
        while (parser.next() == JsonParser.Event.KEY_NAME) {
            String key = parser.getString();
            JsonParser.Event value = parser.next();
            switch (key) {
                case "timed_out":
                    if (value == JsonParser.Event.VALUE_TRUE) {
                        throw new IOException("the search timed out in OpenSearch: its answer would be incomplete");
                    }
                    break;
                case "_shards":
                    shards(parser);
                    break;
                case "hits":
                    outerHits(parser, uidSort, hits);
                    break;
                default:
                    skip(parser, value);
            }
        }
        return hits;
    }

    private static void shards(JsonParser parser) throws IOException {
        while (parser.next() == JsonParser.Event.KEY_NAME) {
            String key = parser.getString();
            JsonParser.Event value = parser.next();
            if (key.equals("failed") && value == JsonParser.Event.VALUE_NUMBER && parser.getLong() > 0) {
                throw new IOException("the search failed on " + parser.getLong() + " shard(s) in OpenSearch: its answer would be incomplete");
            }
            skip(parser, value);
        }
    }

    private static void outerHits(JsonParser parser, int uidSort, List<IndexHit> hits) throws IOException {
        while (parser.next() == JsonParser.Event.KEY_NAME) {
            String key = parser.getString();
            JsonParser.Event value = parser.next();
            if (key.equals("hits") && value == JsonParser.Event.START_ARRAY) {
                while (parser.next() == JsonParser.Event.START_OBJECT) {
                    hits.add(hit(parser, uidSort));
                }
            } else {
                skip(parser, value);
            }
        }
    }

    private static IndexHit hit(JsonParser parser, int uidSort) throws IOException {
        long uid = -1;
        long modSeq = -1;
        String messageId = null;
        Flags flags = null;
        List<JsonValue> sortValues = List.of();
        while (parser.next() == JsonParser.Event.KEY_NAME) {
            String key = parser.getString();
            JsonParser.Event value = parser.next();
            if (key.equals("sort") && value == JsonParser.Event.START_ARRAY) {
                sortValues = parser.getArray();
                if (uidSort >= 0 && uidSort < sortValues.size()) {
                    uid = number(sortValues.get(uidSort));
                }
            } else if (key.equals("fields") && value == JsonParser.Event.START_OBJECT) {
                while (parser.next() == JsonParser.Event.KEY_NAME) {
                    String field = parser.getString();
                    expect(parser, JsonParser.Event.START_ARRAY);
                    List<JsonValue> values = parser.getArray();
                    if (FLAG_FIELDS.contains(field)) {
                        flags = flags == null ? new Flags() : flags;
                        addFlags(flags, field, values);
                    }
                    if (values.isEmpty()) {
                        continue;
                    }
                    JsonValue first = values.get(0);
                    switch (field) {
                        case "uid" -> uid = number(first);
                        case "modSeq" -> modSeq = number(first);
                        case "messageId" -> messageId = first instanceof JsonString ? ((JsonString) first).getString() : first.toString();
                        default -> {
                        }
                    }
                }
            } else {
                skip(parser, value);
            }
        }
        return new IndexHit(uid, messageId, modSeq, flags, sortValues);
    }

    private static void addFlags(Flags flags, String field, List<JsonValue> values) {
        if (field.equals("userFlags")) {
            values.stream().filter(JsonString.class::isInstance).forEach(value -> flags.add(((JsonString) value).getString()));
            return;
        }
        if (!values.isEmpty() && values.get(0) == JsonValue.TRUE) {
            flags.add(switch (field) {
                case "answered" -> Flags.Flag.ANSWERED;
                case "deleted" -> Flags.Flag.DELETED;
                case "draft" -> Flags.Flag.DRAFT;
                case "flagged" -> Flags.Flag.FLAGGED;
                default -> Flags.Flag.SEEN;
            });
        }
    }

    private static void skip(JsonParser parser, JsonParser.Event value) {
        if (value == JsonParser.Event.START_OBJECT) {
            parser.skipObject();
        } else if (value == JsonParser.Event.START_ARRAY) {
            parser.skipArray();
        }
    }

    private static void expect(JsonParser parser, JsonParser.Event wanted) throws IOException {
        JsonParser.Event event = parser.next();
        if (event != wanted) {
            throw new IOException("unexpected search response from OpenSearch: " + event + " where " + wanted + " was expected");
        }
    }

    private static int uidSortPosition(List<SortOptions> sorts) {
        for (int i = 0; i < sorts.size(); i++) {
            if (sorts.get(i).isField() && sorts.get(i).field().field().equals("uid")) {
                return i;
            }
        }
        return -1;
    }

    static long number(JsonValue value) {
        if (value instanceof JsonNumber) {
            return ((JsonNumber) value).longValue();
        }
        return Long.parseLong(((JsonString) value).getString());
    }
}
