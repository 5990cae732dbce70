package org.postino.server.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code bin/postino queue ...}, over WebAdmin's {@code /mailQueues} and Postino's {@code /postino/outgoing}:
 * <pre>
 *   queue                                  each queue's size, then the outgoing queue by destination (postqueue -p)
 *   queue retry [DOMAIN | --name NAME]     due now: everything (postqueue -f), one destination (-s), one mail
 *   queue delete DOMAIN | --name NAME | --all
 *   queue return --name NAME               removes the mail and sends its sender a "failed" notice
 * </pre>
 */
final class QueueCommands {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebAdminClient webAdmin;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    QueueCommands(WebAdminClient webAdmin, PrintStream out, PrintStream err, Clock clock) {
        this.webAdmin = webAdmin;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    /** @param args the words after {@code queue} */
    int run(List<String> args) throws IOException, InterruptedException {
        if (args.isEmpty()) {
            return show();
        }
        List<String> rest = args.subList(1, args.size());
        switch (args.get(0)) {
            case "retry":
                return retry(filter(rest, false));
            case "delete":
                return delete(filter(rest, true));
            case "return":
                return returnToSender(rest);
            default:
                throw new PostinoAdmin.UsageException("unknown queue command '" + args.get(0)
                    + "': expected retry, delete or return");
        }
    }

    private int show() throws IOException, InterruptedException {
        WebAdminClient.Response names = webAdmin.get("/mailQueues");
        if (!names.ok()) {
            return refused(names);
        }
        out.printf("%-20s %10s%n", "QUEUE", "MESSAGES");
        for (JsonNode name : JSON.readTree(names.body)) {
            WebAdminClient.Response detail = webAdmin.get("/mailQueues/" + WebAdminClient.segment(name.asText()));
            JsonNode size = detail.ok() ? JSON.readTree(detail.body).path("size") : JSON.missingNode();
            out.printf("%-20s %10s%n", name.asText(), size.isNumber() ? size.asText() : "?");
        }
        WebAdminClient.Response outgoing = webAdmin.get("/postino/outgoing");
        if (!outgoing.ok()) {
            return refused(outgoing);
        }
        out.println();
        OutgoingQueueListing.lines(JSON.readTree(outgoing.body), clock.instant()).forEach(out::println);
        return 0;
    }

    private int retry(String query) throws IOException, InterruptedException {
        WebAdminClient.Response response = webAdmin.post("/postino/outgoing/retry" + query);
        if (!response.ok()) {
            return refused(response);
        }
        JsonNode result = JSON.readTree(response.body);
        long selected = result.path("selected").asLong();
        long retried = result.path("retried").asLong();
        out.println(selected == retried
            ? plural(retried, "mail") + " due now"
            : plural(retried, "mail") + " due now; " + (selected - retried) + " of the " + selected
                + " selected were due already");
        return 0;
    }

    private int delete(String query) throws IOException, InterruptedException {
        WebAdminClient.Response response = webAdmin.delete("/postino/outgoing" + query);
        if (!response.ok()) {
            return refused(response);
        }
        out.println(plural(JSON.readTree(response.body).path("removed").asLong(), "mail") + " deleted");
        return 0;
    }

    private int returnToSender(List<String> args) throws IOException, InterruptedException {
        if (args.size() != 2 || !args.get(0).equals("--name")) {
            throw new PostinoAdmin.UsageException("expected queue return --name NAME");
        }
        WebAdminClient.Response response = webAdmin.post("/postino/outgoing/return?name="
            + WebAdminClient.segment(args.get(1)));
        if (!response.ok()) {
            return refused(response);
        }
        JsonNode result = JSON.readTree(response.body);
        out.println(args.get(1) + " returned to its sender"
            + (result.path("noticesSent").asInt() == 0 ? " (no notice: null sender, or NOTIFY asked for none)" : ""));
        return 0;
    }

    /** The query for {@code DOMAIN}, {@code --name NAME} or (when allowed) {@code --all}; nothing means all. */
    private static String filter(List<String> args, boolean delete) {
        String expected = delete ? "DOMAIN, --name NAME or --all" : "nothing, DOMAIN or --name NAME";
        if (args.isEmpty()) {
            if (delete) {
                throw new PostinoAdmin.UsageException("expected " + expected + " (deleting needs an explicit --all)");
            }
            return "";
        }
        if (args.size() == 2 && args.get(0).equals("--name")) {
            return "?name=" + WebAdminClient.segment(args.get(1));
        }
        if (args.size() == 1 && delete && args.get(0).equals("--all")) {
            return "?all=true";
        }
        if (args.size() == 1 && !args.get(0).startsWith("-")) {
            return "?domain=" + WebAdminClient.segment(args.get(0));
        }
        throw new PostinoAdmin.UsageException("expected " + expected + ", got '" + String.join(" ", args) + "'");
    }

    private int refused(WebAdminClient.Response response) {
        String message = response.body;
        try {
            JsonNode error = JSON.readTree(response.body);
            if (error.path("message").isTextual()) {
                message = error.path("message").asText();
            }
        } catch (IOException e) {
            // not JSON: the body as it is says more than nothing
        }
        err.println("postino: refused (HTTP " + response.status + "): " + message);
        return 1;
    }

    private static String plural(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
