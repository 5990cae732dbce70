package org.postino.opensearch.node;

import java.util.Collection;

import org.opensearch.env.Environment;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/** A node whose modules are classes on the classpath rather than folders under {@code modules/}. */
final class PostinoNode extends Node {

    PostinoNode(Environment environment, Collection<Class<? extends Plugin>> classpathPlugins) {
        super(environment, classpathPlugins, true);
    }
}
