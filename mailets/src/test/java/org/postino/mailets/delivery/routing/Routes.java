package org.postino.mailets.delivery.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;

/** Test helpers that unwrap a {@link Route} expected to be {@link Route.Destinations}. */
final class Routes {

    private Routes() {
    }

    static List<Target> targetsOf(Route route) {
        assertThat(route).isInstanceOf(Route.Destinations.class);
        return ((Route.Destinations) route).targets();
    }

    static List<String> hostsOf(Route route) {
        return targetsOf(route).stream().map(Target::host).collect(Collectors.toList());
    }
}
