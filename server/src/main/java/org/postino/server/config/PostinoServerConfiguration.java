package org.postino.server.config;

import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.filesystem.api.JamesDirectoriesProvider;
import org.apache.james.server.core.configuration.Configuration;

/** What James's core modules need to know: where the configuration files and directories are. */
public final class PostinoServerConfiguration implements Configuration {

    private final PostinoDirectories directories;

    public PostinoServerConfiguration(PostinoDirectories directories) {
        this.directories = directories;
    }

    @Override
    public ConfigurationPath configurationPath() {
        return new ConfigurationPath(FileSystem.FILE_PROTOCOL_AND_CONF);
    }

    @Override
    public JamesDirectoriesProvider directories() {
        return directories;
    }
}
