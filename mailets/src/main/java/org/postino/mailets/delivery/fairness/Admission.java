package org.postino.mailets.delivery.fairness;

import java.time.Duration;
import java.util.Objects;

/** The {@link DestinationGate}'s answer to "may I deliver to this destination now?". */
public sealed interface Admission permits Admission.Admitted, Admission.AtLimit, Admission.Dead {

    /** Go ahead; report what the attempt learnt through the lease, and close it in every case. */
    record Admitted(DestinationGate.Lease lease) implements Admission {
        public Admitted {
            Objects.requireNonNull(lease, "lease");
        }
    }

    /** As many deliveries as the destination's current window allows are already running. */
    record AtLimit(int window) implements Admission {
    }

    /**
     * The destination could not be reached on its last attempts: do not try before {@code remaining} has passed.
     *
     * @param lastFailure why the last attempt could not reach any host, for logs and notices
     */
    record Dead(Duration remaining, String lastFailure) implements Admission {
        public Dead {
            Objects.requireNonNull(remaining, "remaining");
            Objects.requireNonNull(lastFailure, "lastFailure");
        }
    }
}
