package org.postino.extensions.webadmin;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.inject.Inject;
import javax.mail.MessagingException;

import org.apache.james.core.Domain;
import org.apache.james.webadmin.Routes;
import org.apache.james.webadmin.utils.ErrorResponder;
import org.apache.james.webadmin.utils.ErrorResponder.ErrorType;
import org.apache.james.webadmin.utils.JsonTransformer;
import org.eclipse.jetty.http.HttpStatus;

import spark.HaltException;
import spark.Request;
import spark.Service;

/**
 * The operator's view of the delivery engine's outgoing queue, like Postfix's {@code postqueue -p} and {@code -f}.
 *
 * <pre>
 * GET    /postino/outgoing[?domain=D|name=N]      the queue by destination: queueSize (all mails queued), size (mails
 *                                                 listed here), complete (false when the queue held more than browsing
 *                                                 hands out), byPriority {"9": n, ...}; per destination domain,
 *                                                 count, oldestAgeSeconds, byPriority, and each mail's name, sender,
 *                                                 recipients, arrived, ageSeconds, attempts, lastError, nextAttempt,
 *                                                 priority
 * POST   /postino/outgoing/retry[?domain=D|name=N] due now: everything (the queue's flush), or the waiting mails
 *                                                 of one destination or one name; {"selected":n,"retried":n}
 * DELETE /postino/outgoing?domain=D|name=N|all=true  {"removed":n}; a filter is required, all=true for everything
 * POST   /postino/outgoing/return?name=N          removes the mail and sends its sender a "failed" notice;
 *                                                 {"name":N,"removed":n,"noticesSent":n}
 * </pre>
 * An unknown mail name is 404; a bad or unknown parameter, or two filters at once, is 400 (so a mistyped filter can
 * never widen a command to the whole queue). Errors are James's {@link ErrorResponder} JSON.
 */
public class OutgoingQueueRoutes implements Routes {

    public static final String BASE_PATH = "/postino/outgoing";
    static final String RETRY_PATH = BASE_PATH + "/retry";
    static final String RETURN_PATH = BASE_PATH + "/return";

    private static final String DOMAIN = "domain";
    private static final String NAME = "name";
    private static final String ALL = "all";

    private final OutgoingQueue queue;
    private final JsonTransformer json;

    @Inject
    public OutgoingQueueRoutes(OutgoingQueue queue, JsonTransformer json) {
        this.queue = queue;
        this.json = json;
    }

    @Override
    public String getBasePath() {
        return BASE_PATH;
    }

    @Override
    public void define(Service service) {
        service.get(BASE_PATH, (request, response) -> list(request), json);
        service.post(RETRY_PATH, (request, response) -> retry(request), json);
        service.delete(BASE_PATH, (request, response) -> delete(request), json);
        service.post(RETURN_PATH, (request, response) -> returnToSender(request), json);
    }

    private OutgoingQueueDTO list(Request request) {
        Selection selection = filter(request, Set.of(DOMAIN, NAME));
        try {
            OutgoingQueue.Listing listing = queue.list(selection);
            return OutgoingQueueDTO.of(queue.name().asString(), listing, queue.now());
        } catch (MessagingException e) {
            throw serverError("Could not read the outgoing queue", e);
        }
    }

    private OutgoingQueue.Retried retry(Request request) {
        Selection selection = filter(request, Set.of(DOMAIN, NAME));
        try {
            OutgoingQueue.Retried retried = queue.retry(selection);
            if (retried.selected() == 0 && selection.kind() == Selection.Kind.NAME) {
                throw notFound(selection);
            }
            return retried;
        } catch (MessagingException e) {
            throw serverError("Could not retry " + selection, e);
        }
    }

    private Map<String, Long> delete(Request request) {
        Selection selection = filter(request, Set.of(DOMAIN, NAME, ALL));
        if (selection.kind() == Selection.Kind.ALL && !"true".equals(request.queryParams(ALL))) {
            throw badRequest("Say which mails to delete: 'domain', 'name', or 'all=true' for the whole queue");
        }
        try {
            long removed = queue.delete(selection);
            if (removed == 0 && selection.kind() == Selection.Kind.NAME) {
                throw notFound(selection);
            }
            return Map.of("removed", removed);
        } catch (MessagingException e) {
            throw serverError("Could not delete " + selection, e);
        }
    }

    private OutgoingQueue.Returned returnToSender(Request request) {
        Selection selection = filter(request, Set.of(NAME));
        String name = selection.mailName()
            .orElseThrow(() -> badRequest("Say which mail to return to its sender: 'name'"));
        try {
            return queue.returnToSender(name).orElseThrow(() -> notFound(selection));
        } catch (MessagingException e) {
            throw serverError("Could not return " + name + " to its sender", e);
        }
    }

    /**
     * The selection the request's query names: {@code domain} or {@code name}, at most one; none means all.
     * {@code all} (where allowed) is checked by its caller.
     */
    private static Selection filter(Request request, Set<String> allowed) {
        Set<String> given = request.queryParams();
        for (String parameter : given) {
            if (!allowed.contains(parameter)) {
                throw badRequest("Unknown parameter '" + parameter + "'; this request takes " + String.join(", ",
                    new TreeSet<>(allowed)));
            }
        }
        long filters = given.stream().filter(allowed::contains).count();
        if (filters > 1) {
            throw badRequest("Give only one of " + String.join(", ", new TreeSet<>(given)));
        }
        try {
            if (given.contains(DOMAIN)) {
                return Selection.domain(Domain.of(request.queryParams(DOMAIN)));
            }
            if (given.contains(NAME)) {
                return Selection.name(request.queryParams(NAME));
            }
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
        return Selection.all();
    }

    private static HaltException badRequest(String message) {
        return ErrorResponder.builder()
            .statusCode(HttpStatus.BAD_REQUEST_400)
            .type(ErrorType.INVALID_ARGUMENT)
            .message(message)
            .haltError();
    }

    private static HaltException notFound(Selection selection) {
        return ErrorResponder.builder()
            .statusCode(HttpStatus.NOT_FOUND_404)
            .type(ErrorType.NOT_FOUND)
            .message("No mail named '%s' is waiting in the outgoing queue", selection.mailName().orElse(""))
            .haltError();
    }

    private static HaltException serverError(String message, Exception cause) {
        return ErrorResponder.builder()
            .statusCode(HttpStatus.INTERNAL_SERVER_ERROR_500)
            .type(ErrorType.SERVER_ERROR)
            .message(message + ": " + cause.getMessage())
            .cause(cause)
            .haltError();
    }
}
