package org.postino.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A configuration mistake stops start-up before any listener opens, with exit code 78 and one
 * line on standard error naming the file, the key and the value.
 */
class BadConfigurationIT {

    private Distribution postino;

    @BeforeEach
    void install() throws Exception {
        postino = Distribution.install();
    }

    @AfterEach
    void remove() throws Exception {
        postino.close();
    }

    @Test
    void malformedXmlStopsStartUpNamingFileAndPosition() throws Exception {
        postino.replaceInFile("imapserver.xml", "</imapservers>", "</imapserver>");

        String line = failedStartLine();

        assertThat(line).contains("imapserver.xml").contains("line ").contains("malformed XML");
    }

    @Test
    void unknownValueStopsStartUpNamingFileKeyAndValue() throws Exception {
        postino.replaceInFile("imapserver.xml", "<tls socketTLS=\"true\"", "<tls socketTLS=\"sometimes\"");

        String line = failedStartLine();

        assertThat(line).contains("imapserver.xml").contains("imapserver[imaps]/tls@socketTLS").contains("'sometimes'");
    }

    @Test
    void aBadSearchClusterAddressStopsStartUpNamingFileKeyAndValue() throws Exception {
        postino.writeConf("opensearch.properties", "opensearch.hosts=ftp://search.example:21\n");

        String line = failedStartLine();

        assertThat(line).contains("opensearch.properties").contains("opensearch.hosts").contains("ftp://search.example:21");
    }

    @Test
    void unknownValueInPostinoPropertiesStopsStartUp() throws Exception {
        postino.replaceInFile("postino.properties", "privileged.ports=shift", "privileged.ports=sometimes");

        String line = failedStartLine();

        assertThat(line).contains("postino.properties").contains("privileged.ports").contains("'sometimes'")
            .contains("shift, fail");
    }

    @Test
    void outOfRangePortStopsStartUpNamingFileKeyAndValue() throws Exception {
        String smtp = postino.readConf("smtpserver.xml");
        int port = postino.port(25);
        postino.replaceInFile("smtpserver.xml", ":" + port + "</bind>", ":70000</bind>");

        String line = failedStartLine();

        assertThat(smtp).contains(":" + port + "</bind>");
        assertThat(line).contains("smtpserver.xml").contains("smtpserver[smtp]/bind").contains("'0.0.0.0:70000'")
            .contains("out of range");
    }

    @Test
    void aPortHeldByAnotherProcessStopsStartUpNamingTheListener() throws Exception {
        try (java.net.ServerSocket squatter = new java.net.ServerSocket()) {
            squatter.bind(new java.net.InetSocketAddress("127.0.0.1", postino.port(587)));

            String line = failedStartLine();

            assertThat(line).contains("smtpserver.xml").contains("smtpserver[submission]/bind")
                .contains("'127.0.0.1:" + postino.port(587) + "'").contains("already in use");
        }
    }

    @Test
    void aWebAdminPortHeldByAnotherProcessStopsStartUp() throws Exception {
        java.util.regex.Matcher port = java.util.regex.Pattern.compile("port=(\\d+)").matcher(postino.readConf("webadmin.properties"));
        assertThat(port.find()).isTrue();
        try (java.net.ServerSocket squatter = new java.net.ServerSocket()) {
            squatter.bind(new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(port.group(1))));

            String line = failedStartLine();

            assertThat(line).contains("webadmin.properties").contains("port = '" + port.group(1) + "'").contains("already in use");
        }
    }

    @Test
    void aBadDeliveryParameterStopsStartUpNamingFileKeyAndValue() throws Exception {
        postino.replaceInFile("mailetcontainer.xml", "<lifetime>5d</lifetime>", "<lifetime>soon</lifetime>");

        String line = failedStartLine();

        assertThat(line).contains("mailetcontainer.xml").contains("lifetime = 'soon'");
    }

    @Test
    void unknownKeyInPostinoPropertiesStopsStartUp() throws Exception {
        postino.replaceInFile("postino.properties", "tls.selfsigned=true", "tls.self-signed=true");

        String line = failedStartLine();

        assertThat(line).contains("postino.properties").contains("tls.self-signed").contains("unknown key");
    }

    private String failedStartLine() throws Exception {
        Distribution.Result result = postino.postino(Duration.ofSeconds(90), "run");
        assertThat(result.exitCode).as(result.toString()).isEqualTo(78);
        List<String> errorLines = Arrays.stream(result.err.split("\\R"))
            .filter(line -> !line.isBlank())
            .collect(Collectors.toList());
        assertThat(errorLines).as("standard error: " + result.err).hasSize(1);
        assertThat(errorLines.get(0)).startsWith("postino: configuration error: ");
        return errorLines.get(0);
    }
}
