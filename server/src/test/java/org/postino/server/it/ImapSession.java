package org.postino.server.it;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

/** A small IMAP client over implicit TLS (port 993 style), enough to check what was delivered. */
final class ImapSession implements Closeable {

    private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)\\}$");

    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;
    private int tag;

    private ImapSession(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        readLine();
    }

    static ImapSession connectTls(int port, String user, String password) throws IOException {
        SSLSocket socket = (SSLSocket) TrustAll.context().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(60_000);
        socket.startHandshake();
        ImapSession session = new ImapSession(socket);
        session.ok("LOGIN \"" + user + "\" \"" + password + "\"");
        return session;
    }

    /** Runs a command and returns its untagged lines (literals inlined); fails unless the server says OK. */
    List<String> ok(String command) throws IOException {
        Response response = run(command);
        if (!response.status.startsWith("OK")) {
            throw new IOException(command + " -> " + response.status);
        }
        return response.untagged;
    }

    Response run(String command) throws IOException {
        String t = "a" + (++tag);
        out.write((t + " " + command + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        List<String> untagged = new ArrayList<>();
        while (true) {
            String line = readLogicalLine();
            if (line.startsWith(t + " ")) {
                return new Response(line.substring(t.length() + 1), untagged);
            }
            untagged.add(line);
        }
    }

    /** Message sequence numbers in the selected mailbox whose Message-ID header contains {@code messageId}. */
    List<Integer> searchMessageId(String messageId) throws IOException {
        List<Integer> numbers = new ArrayList<>();
        for (String line : ok("SEARCH HEADER Message-ID \"" + messageId + "\"")) {
            if (line.startsWith("* SEARCH")) {
                for (String part : line.substring("* SEARCH".length()).trim().split(" ")) {
                    if (!part.isEmpty()) {
                        numbers.add(Integer.parseInt(part));
                    }
                }
            }
        }
        return numbers;
    }

    /** The Message-ID header of every message in the selected mailbox, in order. */
    List<String> allMessageIds() throws IOException {
        List<String> ids = new ArrayList<>();
        Pattern header = Pattern.compile("(?i)Message-ID:\\s*(<[^>]*>)");
        Response response = run("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])");
        if (!response.status.startsWith("OK")) {
            return ids;
        }
        for (String line : response.untagged) {
            Matcher matcher = header.matcher(line);
            if (matcher.find()) {
                ids.add(matcher.group(1));
            }
        }
        return ids;
    }

    /** Every message of the selected mailbox as stored, byte for byte (BODY.PEEK[]), in order. */
    List<byte[]> fetchAllRaw() throws IOException {
        String t = "a" + (++tag);
        out.write((t + " FETCH 1:* (BODY.PEEK[])\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        List<byte[]> messages = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line.startsWith(t + " ")) {
                if (!line.startsWith(t + " OK")) {
                    throw new IOException("FETCH -> " + line);
                }
                return messages;
            }
            Matcher literal = LITERAL.matcher(line);
            if (literal.find()) {
                messages.add(in.readNBytes(Integer.parseInt(literal.group(1))));
                readLine();
            }
        }
    }

    int select(String mailbox) throws IOException {
        for (String line : ok("SELECT " + mailbox)) {
            Matcher matcher = Pattern.compile("^\\* (\\d+) EXISTS").matcher(line);
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
        }
        throw new IOException("no EXISTS in SELECT response");
    }

    private String readLogicalLine() throws IOException {
        StringBuilder logical = new StringBuilder(readLine());
        Matcher literal = LITERAL.matcher(logical);
        while (literal.find()) {
            int size = Integer.parseInt(literal.group(1));
            byte[] bytes = in.readNBytes(size);
            logical.append("\r\n").append(new String(bytes, StandardCharsets.UTF_8));
            logical.append(readLine());
            literal = LITERAL.matcher(logical);
        }
        return logical.toString();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int current = in.read();
            if (current < 0) {
                throw new IOException("connection closed");
            }
            if (previous == '\r' && current == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(current);
            previous = current;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            run("LOGOUT");
        } catch (IOException e) {
            // closing anyway
        }
        socket.close();
    }

    static final class Response {
        final String status;
        final List<String> untagged;

        Response(String status, List<String> untagged) {
            this.status = status;
            this.untagged = untagged;
        }
    }
}
