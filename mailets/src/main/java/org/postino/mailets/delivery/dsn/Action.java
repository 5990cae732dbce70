package org.postino.mailets.delivery.dsn;

import java.util.Locale;

/**
 * What happened to one recipient: the {@code Action:} field of RFC 3464 §2.3.3. Each action admits statuses of
 * some classes only: success (2) for the positive ones, transient (4) while delayed, and transient or permanent
 * (4 or 5) when failed, since RFC 3463 lets a persisting transient condition cause a failure.
 */
public enum Action {
    /** Given up: the recipient will not receive the message. */
    FAILED(4, 5),
    /** Not delivered yet; the mail system keeps trying. */
    DELAYED(4),
    /** Delivered to the recipient's mailbox (NOTIFY=SUCCESS). */
    DELIVERED(2),
    /** Handed to a next hop that will not send further notices (NOTIFY=SUCCESS). */
    RELAYED(2),
    /** Delivered to an alias or list, which forwarded it to further addresses (NOTIFY=SUCCESS). */
    EXPANDED(2);

    private final int[] statusClasses;

    Action(int... statusClasses) {
        this.statusClasses = statusClasses;
    }

    /** The field value: {@code failed}, {@code delayed}, {@code delivered}, {@code relayed}, {@code expanded}. */
    public String fieldValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isSuccess() {
        return this == DELIVERED || this == RELAYED || this == EXPANDED;
    }

    boolean admits(EnhancedStatus status) {
        for (int statusClass : statusClasses) {
            if (statusClass == status.statusClass()) {
                return true;
            }
        }
        return false;
    }
}
