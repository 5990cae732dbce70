package org.postino.server.it;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLSocket;

/** A small POP3 client over implicit TLS (port 995 style). */
final class Pop3Session implements Closeable {

    private final SSLSocket socket;
    private final BufferedReader in;
    private final OutputStream out;

    private Pop3Session(SSLSocket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        this.out = socket.getOutputStream();
        expectOk(in.readLine());
    }

    static Pop3Session connectTls(int port, String user, String password) throws IOException {
        SSLSocket socket = (SSLSocket) TrustAll.context().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(60_000);
        socket.startHandshake();
        Pop3Session session = new Pop3Session(socket);
        session.command("USER " + user);
        session.command("PASS " + password);
        return session;
    }

    String command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return expectOk(in.readLine());
    }

    int count() throws IOException {
        return Integer.parseInt(command("STAT").split(" ")[1]);
    }

    /** The whole message number {@code n}, dot-unstuffed. */
    String retrieve(int n) throws IOException {
        command("RETR " + n);
        StringBuilder message = new StringBuilder();
        for (String line = in.readLine(); !".".equals(line); line = in.readLine()) {
            if (line == null) {
                throw new IOException("connection closed in RETR");
            }
            message.append(line.startsWith("..") ? line.substring(1) : line).append("\n");
        }
        return message.toString();
    }

    private static String expectOk(String line) throws IOException {
        if (line == null || !line.startsWith("+OK")) {
            throw new IOException("POP3 server said: " + line);
        }
        return line;
    }

    @Override
    public void close() throws IOException {
        try {
            command("QUIT");
        } catch (IOException e) {
            // closing anyway
        }
        socket.close();
    }
}
