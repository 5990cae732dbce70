package org.postino.extensions.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opensearch.client.Request;
import org.opensearch.client.opensearch._types.SortOptions;
import org.opensearch.client.opensearch._types.SortOrder;
import org.opensearch.client.opensearch._types.query_dsl.Query;

import jakarta.json.Json;
import jakarta.json.stream.JsonParser;

/** Every hit of a search, over several pages, in sort order, once; an incomplete answer is an error. */
class HitScannerTest {
    private static final int DOCUMENTS = 250;
    private final String indexName = "test-" + UUID.randomUUID();
    private final MailIndexClient client = new MailIndexClient(List.of(SearchTestIndex.node()), null, null, indexName, 5_000, 30_000);
    private final HitScanner scanner = new HitScanner(client);
    private final Query mailbox = MailQuery.inMailboxes(List.of("m1"), Query.of(q -> q.matchAll(m -> m)));

    @BeforeEach
    void index() throws Exception {
        client.layout();
        StringBuilder bulk = new StringBuilder();
        for (int uid = 1; uid <= DOCUMENTS; uid++) {
            bulk.append("{\"index\": {\"_id\": \"m1:").append(uid).append("\", \"routing\": \"m1\"}}\n")
                .append("{\"mailboxId\": \"m1\", \"uid\": ").append(uid).append(", \"messageId\": \"id-").append(uid)
                .append("\", \"modSeq\": ").append(1000 + uid).append(", \"size\": ").append(uid % 7).append("}\n");
        }
        // another mailbox's message, never a hit
        bulk.append("{\"index\": {\"_id\": \"m2:1\", \"routing\": \"m2\"}}\n{\"mailboxId\": \"m2\", \"uid\": 1}\n");
        Request request = new Request("POST", "/" + indexName + "/_bulk?refresh=true");
        request.setJsonEntity(bulk.toString());
        client.restClient().performRequest(request);
    }

    @AfterEach
    void drop() throws Exception {
        client.client().indices().delete(d -> d.index(indexName));
        client.close();
    }

    @Test
    void newIndexesLetOneRequestReadFiftyThousandHits() {
        assertThat(client.pageSize()).isEqualTo(MailIndexClient.PAGE).isEqualTo(50_000);
    }

    @Test
    void aSmallFirstPageIsFollowedUntilEveryHitIsRead() {
        List<SortOptions> byUid = List.of(SortOptions.of(s -> s.field(f -> f.field("uid"))));

        List<HitScanner.IndexHit> hits = scanner.scan(mailbox, byUid, Long.MAX_VALUE, 100, List.of("uid", "modSeq", "messageId"))
            .collectList().block();

        assertThat(hits).extracting(HitScanner.IndexHit::uid).containsExactlyElementsOf(LongStream.rangeClosed(1, DOCUMENTS).boxed().toList());
        assertThat(hits).allSatisfy(hit -> {
            assertThat(hit.modSeq()).isEqualTo(1000 + hit.uid());
            assertThat(hit.messageId()).isEqualTo("id-" + hit.uid());
        });
    }

    @Test
    void pagesFollowASortOnSeveralKeys() {
        List<SortOptions> bySizeThenUid = List.of(
            SortOptions.of(s -> s.field(f -> f.field("size").order(SortOrder.Desc))),
            SortOptions.of(s -> s.field(f -> f.field("uid"))));

        List<HitScanner.IndexHit> hits = scanner.scan(mailbox, bySizeThenUid, Long.MAX_VALUE, 100, List.of("uid"))
            .collectList().block();

        List<Long> expected = IntStream.rangeClosed(1, DOCUMENTS).boxed()
            .sorted((a, b) -> a % 7 != b % 7 ? Integer.compare(b % 7, a % 7) : Integer.compare(a, b))
            .map(Integer::longValue).toList();
        assertThat(hits).extracting(HitScanner.IndexHit::uid).containsExactlyElementsOf(expected);
    }

    @Test
    void atMostMaxHitsAreRead() {
        List<SortOptions> byUid = List.of(SortOptions.of(s -> s.field(f -> f.field("uid"))));

        assertThat(scanner.scan(mailbox, byUid, 130, 100, List.of("uid")).collectList().block())
            .extracting(HitScanner.IndexHit::uid).containsExactlyElementsOf(LongStream.rangeClosed(1, 130).boxed().toList());
    }

    @Test
    void anAnswerWithAFailedShardIsAnError() {
        String partial = "{\"took\": 3, \"timed_out\": false, \"_shards\": {\"total\": 2, \"successful\": 1, \"skipped\": 0, \"failed\": 1},"
            + " \"hits\": {\"max_score\": null, \"hits\": [{\"_index\": \"x\", \"_score\": null, \"sort\": [1]}]}}";

        assertThatThrownBy(() -> HitScanner.hits(parser(partial), 0)).isInstanceOf(IOException.class).hasMessageContaining("1 shard(s)");
    }

    @Test
    void anAnswerThatTimedOutIsAnError() {
        String late = "{\"took\": 3, \"timed_out\": true, \"_shards\": {\"total\": 1, \"successful\": 1, \"skipped\": 0, \"failed\": 0},"
            + " \"hits\": {\"max_score\": null, \"hits\": []}}";

        assertThatThrownBy(() -> HitScanner.hits(parser(late), 0)).isInstanceOf(IOException.class).hasMessageContaining("timed out");
    }

    private static JsonParser parser(String json) {
        return Json.createParser(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }
}
