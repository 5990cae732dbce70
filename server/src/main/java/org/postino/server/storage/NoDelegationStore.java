package org.postino.server.storage;

import org.apache.james.core.Username;
import org.apache.james.user.api.DelegationStore;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Postino does not store delegations (one user acting for another's account) yet. Every account has none: questions
 * about delegations answer "nobody", which lets JMAP sessions and push notifications work, and any attempt to grant one
 * fails with an explicit error instead of a silent success.
 */
public class NoDelegationStore implements DelegationStore {

    static final String NOT_SUPPORTED = "delegating an account to another user is not supported by this server";

    @Override
    public Publisher<Username> authorizedUsers(Username baseUser) {
        return Flux.empty();
    }

    @Override
    public Publisher<Void> clear(Username baseUser) {
        return Mono.empty();
    }

    @Override
    public Publisher<Void> addAuthorizedUser(Username baseUser, Username userWithAccess) {
        return Mono.error(new UnsupportedOperationException(NOT_SUPPORTED));
    }

    @Override
    public Publisher<Void> removeAuthorizedUser(Username baseUser, Username userWithAccess) {
        return Mono.empty();
    }

    @Override
    public Publisher<Username> delegatedUsers(Username baseUser) {
        return Flux.empty();
    }

    @Override
    public Publisher<Void> removeDelegatedUser(Username baseUser, Username delegatedToUser) {
        return Mono.empty();
    }
}
