package org.postino.server.it;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLSocket;

/** A deliberately plain SMTP client, so tests see every reply code the server gives. */
final class SmtpSession implements Closeable {

    private Socket socket;
    private BufferedReader in;
    private OutputStream out;
    final Reply greeting;

    private SmtpSession(Socket socket) throws IOException {
        attach(socket);
        this.greeting = read();
    }

    static SmtpSession connect(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(60_000);
        return new SmtpSession(socket);
    }

    static SmtpSession connectImplicitTls(int port) throws IOException {
        SSLSocket socket = (SSLSocket) TrustAll.context().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(60_000);
        socket.startHandshake();
        return new SmtpSession(socket);
    }

    private void attach(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        this.out = socket.getOutputStream();
    }

    Reply command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read();
    }

    Reply ehlo() throws IOException {
        return command("EHLO client.test");
    }

    void startTls() throws IOException {
        Reply reply = command("STARTTLS");
        reply.expect(220);
        SSLSocket tls = (SSLSocket) TrustAll.context().getSocketFactory()
            .createSocket(socket, "127.0.0.1", socket.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        attach(tls);
    }

    Reply authPlain(String user, String password) throws IOException {
        String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return command("AUTH PLAIN " + token);
    }

    /** MAIL, RCPTs and DATA; returns the reply to the end of data (or the first refusal). */
    Reply send(String from, List<String> recipients, String message) throws IOException {
        Reply reply = command("MAIL FROM:<" + from + ">");
        if (!reply.isPositive()) {
            return reply;
        }
        for (String recipient : recipients) {
            reply = command("RCPT TO:<" + recipient + ">");
            if (!reply.isPositive()) {
                command("RSET");
                return reply;
            }
        }
        command("DATA").expect(354);
        StringBuilder data = new StringBuilder();
        for (String line : message.split("\r?\n", -1)) {
            data.append(line.startsWith(".") ? "." + line : line).append("\r\n");
        }
        out.write(data.toString().getBytes(StandardCharsets.UTF_8));
        return command(".");
    }

    /**
     * MAIL, RCPTs and DATA with {@code data} sent as it is (CRLF line breaks, dot-stuffed, ending in CRLF), then the
     * end of data; returns the reply to the end of data (or the first refusal).
     */
    Reply sendRaw(String from, List<String> recipients, byte[] data) throws IOException {
        Reply reply = command("MAIL FROM:<" + from + ">");
        if (!reply.isPositive()) {
            return reply;
        }
        for (String recipient : recipients) {
            reply = command("RCPT TO:<" + recipient + ">");
            if (!reply.isPositive()) {
                command("RSET");
                return reply;
            }
        }
        command("DATA").expect(354);
        out.write(data);
        return command(".");
    }

    /** The next reply (LMTP answers the end of data once per recipient). */
    Reply next() throws IOException {
        return read();
    }

    private Reply read() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed by server after " + lines);
            }
            lines.add(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
    }

    @Override
    public void close() throws IOException {
        try {
            command("QUIT");
        } catch (IOException e) {
            // already closed
        }
        socket.close();
    }

    static final class Reply {
        final int code;
        final List<String> lines;

        Reply(int code, List<String> lines) {
            this.code = code;
            this.lines = lines;
        }

        boolean isPositive() {
            return code / 100 == 2 || code / 100 == 3;
        }

        Reply expect(int expected) {
            if (code != expected) {
                throw new AssertionError("expected " + expected + " but server said " + lines);
            }
            return this;
        }

        boolean mentions(String keyword) {
            return lines.stream().anyMatch(line -> line.toUpperCase().contains(keyword.toUpperCase()));
        }

        @Override
        public String toString() {
            return String.join(" | ", lines);
        }
    }
}
