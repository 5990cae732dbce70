package org.postino.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One installation of the built distribution (the unpacked tar.gz under server/target), in a
 * temporary home of its own, driven through bin/postino exactly as an operator would. The test
 * copy listens on 127.0.0.1 only, on free high ports, with DNS autodiscovery off.
 */
final class Distribution implements AutoCloseable {

    private static final List<Integer> STANDARD_PORTS = List.of(25, 587, 465, 143, 993, 110, 995, 24, 4190);

    private final Path installation;
    private final Path home;
    private final Map<Integer, Integer> ports = new LinkedHashMap<>();
    private int webAdminPort;
    private int jmapPort;
    private Path lib;

    private Distribution(Path installation, Path home) {
        this.installation = installation;
        this.home = home;
        this.lib = installation.resolve("lib");
    }

    /**
     * Runs this installation with one more jar on its class path: a lib/ folder of its own under the home, holding
     * links to the built distribution's jars (and its lib/opensearch) and a copy of the jar.
     */
    void addToClassPath(Path jar) throws IOException {
        Path own = home.resolve("lib");
        if (!own.equals(lib)) {
            Files.createDirectories(own);
            try (Stream<Path> entries = Files.list(installation.resolve("lib"))) {
                for (Path entry : (Iterable<Path>) entries::iterator) {
                    Files.createSymbolicLink(own.resolve(entry.getFileName()), entry.toAbsolutePath());
                }
            }
            lib = own;
        }
        Files.copy(jar, own.resolve(jar.getFileName()));
    }

    static Distribution install() throws IOException {
        String location = System.getProperty("postino.distribution");
        assertThat(location).as("system property postino.distribution (set by the failsafe configuration)").isNotNull();
        Path installation = Path.of(location);
        assertThat(installation.resolve("bin/postino")).as("built distribution").exists();
        Path home = Files.createTempDirectory("postino-it-");
        copyTree(installation.resolve("conf"), home.resolve("conf"));
        Files.createDirectories(home.resolve("extensions-jars"));
        Distribution distribution = new Distribution(installation, home);
        distribution.configureForTest();
        return distribution;
    }

    private void configureForTest() throws IOException {
        for (int standard : STANDARD_PORTS) {
            ports.put(standard, freePort());
        }
        webAdminPort = freePort();
        Path conf = home.resolve("conf");
        for (String file : List.of("smtpserver.xml", "imapserver.xml", "pop3server.xml", "lmtpserver.xml", "managesieveserver.xml")) {
            String xml = Files.readString(conf.resolve(file));
            for (Map.Entry<Integer, Integer> port : ports.entrySet()) {
                xml = xml.replace(":" + port.getKey() + "</bind>", ":" + port.getValue() + "</bind>");
            }
            Files.writeString(conf.resolve(file), xml);
        }
        replaceInFile("dnsservice.xml", "<autodiscover>true</autodiscover>", "<autodiscover>false</autodiscover>");
        // Remote delivery asks a loopback resolver (nothing listens there unless a test starts one).
        replaceInFile("mailetcontainer.xml", "<outgoingQueue>outgoing</outgoingQueue>",
            "<outgoingQueue>outgoing</outgoingQueue>\n                <dnsServers>127.0.0.1:53</dnsServers>\n                <dnsTimeout>2s</dnsTimeout>");
        replaceInFile("webadmin.properties", "port=8000", "port=" + webAdminPort);
        jmapPort = freePort();
        replaceInFile("jmap.properties", "bind=0.0.0.0:443", "bind=0.0.0.0:" + jmapPort);
        Files.writeString(conf.resolve("postino.properties"), "\nlisten.address=127.0.0.1\n",
            java.nio.file.StandardOpenOption.APPEND);
    }

    void replaceInFile(String file, String from, String to) throws IOException {
        Path path = home.resolve("conf").resolve(file);
        String content = Files.readString(path);
        assertThat(content).as(file).contains(from);
        Files.writeString(path, content.replace(from, to));
    }

    void writeConf(String file, String content) throws IOException {
        Files.writeString(home.resolve("conf").resolve(file), content);
    }

    /**
     * Sets one parameter of the DeliverRemotely mailet in this installation's mailetcontainer.xml, replacing its value
     * when the file has one.
     */
    void configureDelivery(String parameter, String value) throws IOException {
        String xml = readConf("mailetcontainer.xml");
        String mailet = "class=\"org.postino.mailets.DeliverRemotely\">";
        assertThat(xml).contains(mailet);
        java.util.regex.Matcher existing = java.util.regex.Pattern.compile("<" + parameter + ">[^<]*</" + parameter + ">").matcher(xml);
        String element = "<" + parameter + ">" + value + "</" + parameter + ">";
        if (existing.find()) {
            xml = xml.substring(0, existing.start()) + element + xml.substring(existing.end());
        } else {
            xml = xml.replace(mailet, mailet + "\n                " + element);
        }
        writeConf("mailetcontainer.xml", xml);
    }

    /** GET on WebAdmin; the body, after checking the status is 200. */
    String webAdmin(String pathAndQuery) throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + webAdminPort + pathAndQuery)).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET " + pathAndQuery + ": " + response.body()).isEqualTo(200);
        return response.body();
    }

    /** POST on WebAdmin, no body; the response body, after checking the status is 200. */
    String webAdminPost(String pathAndQuery) throws IOException, InterruptedException {
        return webAdminCall("POST", pathAndQuery);
    }

    /** DELETE on WebAdmin; the response body, after checking the status is 200. */
    String webAdminDelete(String pathAndQuery) throws IOException, InterruptedException {
        return webAdminCall("DELETE", pathAndQuery);
    }

    /** POST on WebAdmin that starts a task: the response body, after checking the status is 201 Created. */
    String webAdminStartTask(String pathAndQuery) throws IOException, InterruptedException {
        return webAdminCall("POST", pathAndQuery, 201);
    }

    private String webAdminCall(String method, String pathAndQuery) throws IOException, InterruptedException {
        return webAdminCall(method, pathAndQuery, 200);
    }

    private String webAdminCall(String method, String pathAndQuery, int expected) throws IOException, InterruptedException {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + webAdminPort + pathAndQuery))
                .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + pathAndQuery + ": " + response.body()).isEqualTo(expected);
        return response.body();
    }

    String readConf(String file) throws IOException {
        return Files.readString(home.resolve("conf").resolve(file));
    }

    int port(int standard) {
        return ports.get(standard);
    }

    int webAdminPort() {
        return webAdminPort;
    }

    /** The JMAP listener's port (HTTPS, 127.0.0.1). */
    int jmapPort() {
        return jmapPort;
    }

    Path home() {
        return home;
    }

    Result postino(String... args) throws IOException, InterruptedException {
        return postino(Duration.ofMinutes(4), args);
    }

    Result postino(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(installation.resolve("bin/postino").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("POSTINO_HOME", home.toString());
        builder.environment().put("POSTINO_LIB", lib.toString());
        builder.environment().put("POSTINO_HEAP", "512m");
        Path out = Files.createTempFile(home, "out", ".txt");
        Path err = Files.createTempFile(home, "err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/postino " + String.join(" ", args) + " did not finish in " + timeout);
        }
        Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return result;
    }

    void start() throws IOException, InterruptedException {
        Result result = postino("start");
        assertThat(result.exitCode).as("bin/postino start: " + result + "\nlog tail:\n" + logTail()).isZero();
    }

    void stop() throws IOException, InterruptedException {
        Result result = postino("stop");
        assertThat(result.exitCode).as("bin/postino stop: " + result).isZero();
    }

    /** Kills the server JVM with SIGKILL, as a power cut would, and waits until it is gone. */
    void kill9() throws Exception {
        long pid = Long.parseLong(Files.readString(home.resolve("run/postino.pid")).trim());
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
        new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
        handle.onExit().get(30, TimeUnit.SECONDS);
    }

    void admin(String... args) throws IOException, InterruptedException {
        Result result = postino(args);
        assertThat(result.exitCode).as("bin/postino " + String.join(" ", args) + ": " + result).isZero();
    }

    String logTail() throws IOException {
        Path log = home.resolve("log/postino.log");
        if (!Files.exists(log)) {
            return "(no log)";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (Files.exists(home.resolve("run/postino.pid"))) {
            postino("stop");
        }
        if (Boolean.getBoolean("postino.it.keep")) {
            System.out.println("Kept the installation's home for inspection: " + home);
            return;
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** Ports this JVM handed out already: never twice, even once the server that had one is gone. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port free on 127.0.0.1, taken below the kernel's ephemeral range (32768-60999 on Linux): a port the kernel
     * hands out (bind to 0) may be taken by any outgoing connection between this check and the server's bind, and CI
     * saw exactly that ("address already in use" at start-up, twice in one day).
     */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12_000);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException busy) {
                // in use: try another
            }
        }
        throw new IOException("no free port on 127.0.0.1 in 20000-31999 after 500 tries");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    static final class Result {
        final int exitCode;
        final String out;
        final String err;

        Result(int exitCode, String out, String err) {
            this.exitCode = exitCode;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout: " + out + "\nstderr: " + err;
        }
    }
}
