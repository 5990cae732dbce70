package org.postino.extensions.search;

import java.util.List;

import org.opensearch.client.json.JsonData;
import org.opensearch.client.opensearch._types.SortOptions;
import org.opensearch.client.opensearch._types.query_dsl.Query;
import org.opensearch.client.opensearch.core.SearchRequest;
import org.opensearch.client.opensearch.core.SearchResponse;
import org.opensearch.client.opensearch._types.query_dsl.FieldAndFormat;
import org.opensearch.client.opensearch.core.search.Hit;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import reactor.core.publisher.Flux;

/**
 * Reads every hit of a query from the mail index, page by page (search_after), taking only doc values: what IMAP
 * SEARCH, JMAP Email/query and the catch-up's comparison need are ids and numbers, never a message's text.
 */
final class HitScanner {
    /** Hits a search request asks for at once (the index's max_result_window). */
    private static final int PAGE = 10_000;
    /** Looked up once: Json.createObjectBuilder() looks for a provider on the class path at every call. */
    private static final JsonProvider JSON = JsonProvider.provider();

    private final MailIndexClient index;

    HitScanner(MailIndexClient index) {
        this.index = index;
    }

    /** Every hit of the query in sort order, page by page (search_after), with these fields' doc values. */
    Flux<JsonObject> scan(Query query, List<SortOptions> sorts, long max, List<String> includes) {
        // the uid is a sort key of every scan: read from the hit's sort values, it needs no doc value
        int uidSort = uidSortPosition(sorts);
        List<FieldAndFormat> docValueFields = includes.stream()
            .filter(field -> !(field.equals("uid") && uidSort >= 0))
            .map(field -> FieldAndFormat.of(f -> f.field(field)))
            .toList();
        return Flux.create(sink -> {
            List<String> after = null;
            long emitted = 0;
            try {
                while (!sink.isCancelled()) {
                    List<String> searchAfter = after;
                    SearchRequest request = SearchRequest.of(s -> {
                        s.index(index.indexName()).query(query).sort(sorts).size(PAGE)
                            .trackTotalHits(t -> t.enabled(false))
                            // values from doc values only: any stored field of a hit (even its _id) means
                            // decompressing the block that holds its whole message (_source)
                            .source(src -> src.fetch(false))
                            .storedFields("_none_")
                            .docvalueFields(docValueFields);
                        if (searchAfter != null) {
                            s.searchAfter(searchAfter);
                        }
                        return s;
                    });
                    SearchResponse<JsonData> response = index.client().search(request, JsonData.class);
                    List<Hit<JsonData>> hits = response.hits().hits();
                    for (Hit<JsonData> hit : hits) {
                        if (emitted++ >= max || sink.isCancelled()) {
                            sink.complete();
                            return;
                        }
                        sink.next(docValues(hit, uidSort));
                    }
                    if (hits.size() < PAGE) {
                        break;
                    }
                    after = hits.get(hits.size() - 1).sort();
                }
                sink.complete();
            } catch (Exception e) {
                sink.error(e);
            }
        });
    }

    private static int uidSortPosition(List<SortOptions> sorts) {
        for (int i = 0; i < sorts.size(); i++) {
            if (sorts.get(i).isField() && sorts.get(i).field().field().equals("uid")) {
                return i;
            }
        }
        return -1;
    }

    private static JsonObject docValues(Hit<JsonData> hit, int uidSort) {
        JsonObjectBuilder values = JSON.createObjectBuilder();
        if (uidSort >= 0) {
            values.add("uid", Long.parseLong(hit.sort().get(uidSort)));
        }
        hit.fields().forEach((field, data) -> {
            JsonValue value = data.toJson();
            if (value instanceof JsonArray && !((JsonArray) value).isEmpty()) {
                values.add(field, ((JsonArray) value).get(0));
            } else {
                values.add(field, value);
            }
        });
        return values.build();
    }

    static long number(JsonObject source, String field) {
        JsonValue value = source.get(field);
        if (value instanceof JsonNumber) {
            return ((JsonNumber) value).longValue();
        }
        return Long.parseLong(((JsonString) value).getString());
    }
}
