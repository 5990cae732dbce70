package org.postino.extensions.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mime4j.dom.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opensearch.client.Request;
import org.opensearch.client.RestClient;


import reactor.core.publisher.Flux;

/**
 * An index made by an earlier Postino (layout 1: no subjectAll field, no _meta) keeps working: new
 * documents, which carry subjectAll, are accepted, and SUBJECT still finds the old documents.
 */
class IndexLayoutTest {
    private final String indexName = "test-" + UUID.randomUUID();
    private final MailIndexClient client = new MailIndexClient(List.of(SearchTestIndex.node()), null, null, indexName, 5_000, 30_000);

    @AfterEach
    void drop() throws Exception {
        client.client().indices().delete(d -> d.index(indexName));
        client.close();
    }

    @Test
    void newIndexesHaveTheLatestLayout() throws Exception {
        assertThat(client.layout()).isEqualTo(MailIndexClient.LAYOUT).isEqualTo(2);
    }

    @Test
    void anIndexOfTheFirstLayoutIsAdoptedAndSearchedAsItCanBe() throws Exception {
        String firstLayout = MailIndexClient.mapping()
            .replace("\"_meta\": { \"postino_layout\": 2 },", "")
            .replaceAll("\\s*\"subjectAll\": \\{[^}]*},", "")
            .replace(", \"doc_values\": true", "")
            .replace("\"max_result_window\": 50000", "\"max_result_window\": 10000")
            .replace("\"${shards}\"", "1").replace("\"${replicas}\"", "0");
        assertThat(firstLayout).doesNotContain("subjectAll").doesNotContain("postino_layout").contains("\"max_result_window\": 10000");
        try (RestClient rest = RestClient.builder(org.apache.http.HttpHost.create(SearchTestIndex.node().toString())).build()) {
            Request create = new Request("PUT", "/" + indexName);
            create.setJsonEntity(firstLayout);
            rest.performRequest(create);
            // a document written by the earlier Postino: no subjectAll
            Request old = new Request("PUT", "/" + indexName + "/_doc/elsewhere:1?routing=elsewhere&refresh=true");
            old.setJsonEntity("{\"mailboxId\": \"elsewhere\", \"uid\": 1, \"headers\": [\"subject:old lighthouse\"],"
                + " \"subject\": \"old lighthouse\"}");
            rest.performRequest(old);
        }

        assertThat(client.layout()).isEqualTo(1);
        // its result window was raised: one request reads up to 50,000 hits
        assertThat(client.pageSize()).isEqualTo(MailIndexClient.PAGE);
        assertThat(client.client().indices().getSettings(g -> g.index(indexName)).get(indexName).settings().index().maxResultWindow())
            .isEqualTo(MailIndexClient.PAGE);

        IndexedStore store = IndexedStore.create("dave", client, IndexBacklog.inMemory(), null);
        PostinoSearchIndex[] listening = {store.index()};
        MailboxSession session = store.session();
        MessageManager mailbox = store.inbox();
        mailbox.appendMessage(MessageManager.AppendCommand.from(Message.Builder.of()
            .setSubject("New Lighthouse").setBody("a note", StandardCharsets.UTF_8)), session);
        listening[0].flushed().block();
        listening[0].refresh();

        // the new document was accepted (strict mapping: subjectAll was added)
        assertThat(client.client().count(c -> c.index(indexName)).count()).isEqualTo(2);
        assertThat(Flux.from(mailbox.search(SearchQuery.of(SearchQuery.headerContains("Subject", "lighthouse")), session))
            .collectList().block()).hasSize(1);
        // the query for this layout keeps to the header lines, which every document has: both found
        int layout = client.layout();
        assertThat(client.client().count(c -> c.index(indexName)
            .query(MailQuery.of(List.of(SearchQuery.headerContains("Subject", "LIGHTHOUSE")), layout))).count())
            .isEqualTo(2);
    }
}
