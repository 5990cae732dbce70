package org.postino.mailets.delivery.fairness;

/** What one attempt learnt about whether its destination can be reached; the feedback a {@link DestinationGate} needs. */
public enum Contact {
    /** A host of the destination greeted us and took part in a session, whatever it said about the recipients. */
    REACHED,
    /**
     * Hosts were tried and none could be reached: connection refused or timed out, connection lost, or greeting
     * (or EHLO) refused before any recipient was decided.
     */
    UNREACHABLE,
    /** No host was tried (DNS failure, null MX, a local error): says nothing about the destination. */
    NOT_TRIED
}
