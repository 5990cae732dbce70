package org.postino.server.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.Map;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MailboxSessionUtil;
import org.apache.james.mailbox.MessageIdManager;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.model.Content;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.MessageResult;

import reactor.core.publisher.Flux;

/** Just enough of James's mailbox API for the render route: one owner's messages by id; empty bodies fail to read. */
final class StoreFakes {

    private StoreFakes() {
    }

    static MailboxManager mailboxManager() {
        return proxy(MailboxManager.class, (name, args) -> {
            if (name.equals("authenticate") && args.length == 1) {
                Username user = (Username) args[0];
                return proxy(SessionProvider.AuthorizationStep.class, (step, stepArgs) -> {
                    if (step.equals("withoutDelegation")) {
                        return MailboxSessionUtil.create(user);
                    }
                    throw new UnsupportedOperationException(step);
                });
            }
            throw new UnsupportedOperationException(name);
        });
    }

    /** Messages by serialized id, all in mailboxes of {@code owner}: readable by the owner's sessions only. */
    static MessageIdManager messageIdManager(Username owner, Map<String, byte[]> messages) {
        return proxy(MessageIdManager.class, (name, args) -> {
            if (name.equals("getMessagesReactive")) {
                @SuppressWarnings("unchecked")
                Collection<MessageId> ids = (Collection<MessageId>) args[0];
                MailboxSession session = (MailboxSession) args[2];
                if (!session.getUser().equals(owner)) {
                    return Flux.empty();
                }
                return Flux.fromIterable(ids)
                    .filter(id -> messages.containsKey(id.serialize()))
                    .map(id -> message(messages.get(id.serialize())));
            }
            throw new UnsupportedOperationException(name);
        });
    }

    private static MessageResult message(byte[] bytes) {
        Content content = proxy(Content.class, (name, args) -> switch (name) {
            case "getInputStream" -> {
                if (bytes.length == 0) {
                    throw new IOException("unreadable");
                }
                yield new ByteArrayInputStream(bytes);
            }
            case "size" -> (long) bytes.length;
            default -> throw new UnsupportedOperationException(name);
        });
        return proxy(MessageResult.class, (name, args) -> {
            if (name.equals("getFullContent")) {
                return content;
            }
            throw new UnsupportedOperationException(name);
        });
    }

    @FunctionalInterface
    private interface Handler {
        Object handle(String method, Object[] args) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, Handler handler) {
        return (T) Proxy.newProxyInstance(StoreFakes.class.getClassLoader(), new Class<?>[] {type},
            (proxy, method, args) -> {
                if (method.getDeclaringClass() == Object.class) {
                    return switch (method.getName()) {
                        case "toString" -> type.getSimpleName() + " fake";
                        case "hashCode" -> System.identityHashCode(proxy);
                        default -> proxy == args[0];
                    };
                }
                return handler.handle(method.getName(), args == null ? new Object[0] : args);
            });
    }
}
