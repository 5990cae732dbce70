package org.postino.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.postino.server.config.StrictProperties;

class DatabaseConfigurationTest {

    private static final Path DATA = Path.of("/srv/postino/var");

    @Test
    void defaultsShouldUseEmbeddedDerbyInTheDataDirectory() {
        DatabaseConfiguration testee = DatabaseConfiguration.defaults(DATA);

        assertThat(testee.url()).isEqualTo("jdbc:derby:/srv/postino/var/derby;create=true");
        assertThat(testee.openJpaProperties())
            .containsEntry("openjpa.ConnectionDriverName", "org.apache.derby.jdbc.EmbeddedDriver")
            .containsEntry("openjpa.ConnectionProperties", "MaxTotal=20");
    }

    @Test
    void relativeDerbyPathShouldBeAnchoredInTheDataDirectoryNotTheWorkingDirectory() {
        DatabaseConfiguration testee = DatabaseConfiguration.from(properties("database.url", "jdbc:derby:mail;create=true"), DATA);

        assertThat(testee.url()).isEqualTo("jdbc:derby:/srv/postino/var/mail;create=true");
    }

    @Test
    void otherDatabasesShouldBeLeftAsWritten() {
        DatabaseConfiguration testee = DatabaseConfiguration.from(properties(
            "database.driverClassName", "org.postgresql.Driver",
            "database.url", "jdbc:postgresql://db/postino",
            "database.username", "postino",
            "database.password", "pw"), DATA);

        assertThat(testee.url()).isEqualTo("jdbc:postgresql://db/postino");
        assertThat(testee.isEmbeddedDerby()).isFalse();
        assertThat(testee.openJpaProperties()).containsEntry("openjpa.ConnectionUserName", "postino");
    }

    @Test
    void usernameWithoutPasswordShouldBeRejected() {
        assertThatThrownBy(() -> DatabaseConfiguration.from(properties("database.username", "postino"), DATA))
            .hasMessageStartingWith("james-database.properties: database.password");
    }

    @Test
    void poolSizeOutOfRangeShouldBeRejected() {
        assertThatThrownBy(() -> DatabaseConfiguration.from(properties("datasource.maxTotal", "0"), DATA))
            .hasMessage("james-database.properties: datasource.maxTotal = '0': out of range, expected 1..1000");
    }

    @Test
    void unknownKeysShouldBeRejectedButOpenJpaOnesPassedOn() {
        assertThatThrownBy(() -> DatabaseConfiguration.from(properties("database.uri", "x"), DATA))
            .hasMessage("james-database.properties: database.uri = 'x': unknown key");
        assertThat(DatabaseConfiguration.from(properties("openjpa.Log", "none"), DATA).openJpaProperties())
            .containsEntry("openjpa.Log", "none");
    }

    private static StrictProperties properties(String... keyValues) {
        Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return new StrictProperties(DatabaseConfiguration.FILE, properties);
    }
}
