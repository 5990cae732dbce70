package org.postino.mailets.delivery.smtp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** The wire: reads multi-line replies, writes commands, upgrades to TLS. One per session. */
final class SmtpConnection implements Closeable {

    private static final int MAX_LINE = 4096;

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private boolean tls;

    SmtpConnection(Socket socket) throws IOException {
        attach(socket);
    }

    private void attach(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    SmtpReply command(String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
        out.flush();
        return read();
    }

    SmtpReply read() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line.length() < 3) {
                throw new IOException("malformed reply line '" + line + "'");
            }
            int code;
            try {
                code = Integer.parseInt(line.substring(0, 3));
            } catch (NumberFormatException e) {
                throw new IOException("malformed reply line '" + line + "'");
            }
            lines.add(line.length() > 4 ? line.substring(4) : "");
            if (line.length() == 3 || line.charAt(3) != '-') {
                return SmtpReply.of(code, lines);
            }
        }
    }

    /** Sends the message body, dot-stuffed, with CRLF line ends, then the end-of-data marker. */
    SmtpReply data(InputStream message) throws IOException {
        boolean atLineStart = true;
        boolean pendingCr = false;
        int b;
        while ((b = message.read()) != -1) {
            if (pendingCr) {
                pendingCr = false;
                endLine();
                atLineStart = true;
                if (b == '\n') {
                    continue;
                }
            }
            if (b == '\r') {
                pendingCr = true;
                continue;
            }
            if (b == '\n') {
                endLine();
                atLineStart = true;
                continue;
            }
            if (atLineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            atLineStart = false;
        }
        if (pendingCr || !atLineStart) {
            endLine();
        }
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read();
    }

    private void endLine() throws IOException {
        out.write('\r');
        out.write('\n');
    }

    void startTls(SSLSocketFactory factory, String host) throws IOException {
        SSLSocket tlsSocket = (SSLSocket) factory.createSocket(socket, host, socket.getPort(), true);
        tlsSocket.setUseClientMode(true);
        tlsSocket.setSoTimeout(socket.getSoTimeout());
        tlsSocket.startHandshake();
        attach(tlsSocket);
        tls = true;
    }

    boolean isTls() {
        return tls;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b == -1) {
                throw new IOException("connection closed by the remote server");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("reply line longer than " + MAX_LINE + " octets");
            }
            line.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
