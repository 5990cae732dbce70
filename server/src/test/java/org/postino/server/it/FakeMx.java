package org.postino.server.it;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A remote MX for the distribution to deliver to: plain SMTP on 127.0.0.1, a free port, answering
 * each RCPT as the test scripts it and recording every RCPT and every accepted message. No TLS, no
 * extensions but PIPELINING, since the tests are about the delivery schedule, not the dialogue.
 */
final class FakeMx implements Closeable {

    /** One MAIL..DATA exchange that ended with the message accepted. */
    static final class Transaction {
        final String mailFrom;
        final List<String> rcptTo = new ArrayList<>();
        String data = "";

        Transaction(String mailFrom) {
            this.mailFrom = mailFrom;
        }

        boolean carries(String messageId) {
            return data.contains("Message-ID: " + messageId);
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Transaction> transactions = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger rcpts = new AtomicInteger();
    private final AtomicInteger sessionsStarted = new AtomicInteger();
    private final AtomicInteger sessionsEnded = new AtomicInteger();
    private volatile IntFunction<String> rcptReply = rcpt -> "250 2.1.5 ok";

    private FakeMx(ServerSocket server) {
        this.server = server;
        threads.submit(this::acceptLoop);
    }

    static FakeMx start() throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        return new FakeMx(server);
    }

    int port() {
        return server.getLocalPort();
    }

    /**
     * From now on, answers the n-th RCPT (counted from 1 from this call) with {@code reply.apply(n)};
     * forgets the RCPTs and messages recorded so far.
     */
    void answerRcpt(IntFunction<String> reply) {
        rcptReply = reply;
        rcpts.set(0);
        transactions.clear();
    }

    /** RCPT commands received since the last {@link #answerRcpt}. */
    int rcpts() {
        return rcpts.get();
    }

    /** SMTP sessions going on now: a client connected and not gone yet. */
    int openSessions() {
        return sessionsStarted.get() - sessionsEnded.get();
    }

    List<Transaction> transactions() {
        synchronized (transactions) {
            return List.copyOf(transactions);
        }
    }

    long transactionsCarrying(String messageId) {
        return transactions().stream().filter(transaction -> transaction.carries(messageId)).count();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sessionsStarted.incrementAndGet();
                threads.submit(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(60_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            reply(out, "220 fake.mx.test ESMTP");
            Transaction current = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String command = line.toUpperCase();
                if (command.startsWith("EHLO") || command.startsWith("HELO")) {
                    reply(out, "250-fake.mx.test\r\n250 PIPELINING");
                } else if (command.startsWith("MAIL FROM:")) {
                    current = new Transaction(line.substring("MAIL FROM:".length()));
                    reply(out, "250 2.1.0 ok");
                } else if (command.startsWith("RCPT TO:") && current != null) {
                    String answer = rcptReply.apply(rcpts.incrementAndGet());
                    if (answer.startsWith("2")) {
                        current.rcptTo.add(line.substring("RCPT TO:".length()));
                    }
                    reply(out, answer);
                } else if (command.equals("DATA") && current != null && !current.rcptTo.isEmpty()) {
                    reply(out, "354 go ahead");
                    current.data = readData(in);
                    transactions.add(current);
                    current = null;
                    reply(out, "250 2.0.0 queued");
                } else if (command.equals("RSET") || command.equals("NOOP")) {
                    current = command.equals("RSET") ? null : current;
                    reply(out, "250 2.0.0 ok");
                } else if (command.equals("QUIT")) {
                    reply(out, "221 2.0.0 bye");
                    break;
                } else {
                    reply(out, "503 5.5.1 not now");
                }
            }
        } catch (IOException e) {
            // the client went away; the session ends all the same
        } finally {
            sessionsEnded.incrementAndGet();
        }
    }

    private static String readData(BufferedReader in) throws IOException {
        StringBuilder data = new StringBuilder();
        for (String line = in.readLine(); line != null && !line.equals("."); line = in.readLine()) {
            data.append(line.startsWith("..") ? line.substring(1) : line).append("\r\n");
        }
        return data.toString();
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
