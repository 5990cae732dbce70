package org.postino.server.config;

import java.io.File;
import java.nio.file.Path;
import java.util.Objects;

import org.apache.james.filesystem.api.JamesDirectoriesProvider;

/**
 * Where Postino reads its configuration and keeps its state.
 *
 * <p>James resolves {@code file://conf/...} against {@link #getConfDirectory()} and
 * {@code file://var/...} against {@link #getVarDirectory()}; Postino points the latter at the
 * data directory, so every piece of state (database, queues, mail repositories, TLS keys) lives
 * under one folder that an operator can back up or move.
 */
public final class PostinoDirectories implements JamesDirectoriesProvider {

    private final Path home;
    private final Path conf;
    private final Path data;

    private PostinoDirectories(Path home, Path conf, Path data) {
        this.home = home;
        this.conf = conf;
        this.data = data;
    }

    public static PostinoDirectories of(Path home, Path conf, Path data) {
        return new PostinoDirectories(
            Objects.requireNonNull(home).toAbsolutePath().normalize(),
            Objects.requireNonNull(conf).toAbsolutePath().normalize(),
            Objects.requireNonNull(data).toAbsolutePath().normalize());
    }

    public Path home() {
        return home;
    }

    public Path conf() {
        return conf;
    }

    public Path data() {
        return data;
    }

    @Override
    public String getAbsoluteDirectory() {
        return "/";
    }

    @Override
    public String getConfDirectory() {
        return conf + File.separator;
    }

    @Override
    public String getVarDirectory() {
        return data + File.separator;
    }

    @Override
    public String getRootDirectory() {
        return home.toString();
    }

    @Override
    public String toString() {
        return "home=" + home + " conf=" + conf + " data=" + data;
    }
}
