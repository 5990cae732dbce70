package org.postino.mailets.delivery.fake;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
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
import java.util.function.Function;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A scriptable SMTP server for tests: what it answers to each recipient, whether it offers
 * STARTTLS and DSN, whether it greets, stalls or hangs up, how long it takes to accept the data. It records every
 * transaction, counts connections and the most transactions it ever had open at once.
 */
public final class FakeMx implements Closeable {

    /** One MAIL..DATA exchange as the server saw it. */
    public static final class Transaction {
        public final String mailFrom;
        public final List<String> rcptTo = new ArrayList<>();
        public String data;
        public boolean tls;

        Transaction(String mailFrom) {
            this.mailFrom = mailFrom;
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Transaction> transactions = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger sessionsEnded = new AtomicInteger();
    private final AtomicInteger rcpts = new AtomicInteger();
    private final AtomicInteger openTransactions = new AtomicInteger();
    private final AtomicInteger maxOpenTransactions = new AtomicInteger();
    private volatile long dataDelayMillis;
    private volatile String greeting = "220 fake.mx ESMTP";
    private volatile boolean hangUpAfterGreeting;
    private volatile boolean stall;
    private volatile boolean dsn = true;
    private volatile SSLContext tls;
    private volatile Function<String, String> rcptReply = rcpt -> "250 2.1.5 ok";
    private volatile String dataReply = "250 2.0.0 queued";

    private FakeMx(ServerSocket server) {
        this.server = server;
        threads.submit(this::acceptLoop);
    }

    public static FakeMx start(String address, int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(address), port));
        return new FakeMx(server);
    }

    public static FakeMx start() throws IOException {
        return start("127.0.0.1", 0);
    }

    public int port() {
        return server.getLocalPort();
    }

    /**
     * From now on, answers the n-th RCPT (counted from 1 from this call) with {@code reply.apply(n)};
     * forgets the RCPTs and messages recorded so far.
     */
    public FakeMx answerRcpt(java.util.function.IntFunction<String> reply) {
        AtomicInteger counter = new AtomicInteger();
        synchronized (transactions) {
            transactions.clear();
            rcpts.set(0);
            this.rcptReply = rcpt -> reply.apply(counter.incrementAndGet());
        }
        return this;
    }

    /** RCPT commands received (since the last {@link #answerRcpt}). */
    public int rcpts() {
        return rcpts.get();
    }

    /** SMTP sessions going on now: a client connected and not gone yet. */
    public int openSessions() {
        return connections.get() - sessionsEnded.get();
    }

    /** Accepted messages whose content carries this Message-ID. */
    public long transactionsCarrying(String messageId) {
        return transactions().stream().filter(transaction -> transaction.data != null
            && transaction.data.contains("Message-ID: " + messageId)).count();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    public FakeMx greeting(String line) {
        this.greeting = line;
        return this;
    }

    public FakeMx hangUpAfterGreeting() {
        this.hangUpAfterGreeting = true;
        return this;
    }

    public FakeMx stall() {
        this.stall = true;
        return this;
    }

    public FakeMx withoutDsn() {
        this.dsn = false;
        return this;
    }

    public FakeMx offerTls(SSLContext context) {
        this.tls = context;
        return this;
    }

    public FakeMx rcptReply(Function<String, String> reply) {
        this.rcptReply = reply;
        return this;
    }

    public FakeMx dataReply(String reply) {
        this.dataReply = reply;
        return this;
    }

    /** Waits this long after the data before replying to it, keeping the session open. */
    public FakeMx dataDelay(java.time.Duration delay) {
        this.dataDelayMillis = delay.toMillis();
        return this;
    }

    /** Sets the greeting back to a plain 220 after {@link #greeting} refused sessions. */
    public FakeMx greetNormally() {
        this.greeting = "220 fake.mx ESMTP";
        return this;
    }

    /**
     * The most transactions this server had open at the same time, each counted from MAIL FROM to just before the
     * reply to its data: strictly within the client's own session, so a client's limit shows exactly.
     */
    public int maxSimultaneousTransactions() {
        return maxOpenTransactions.get();
    }

    public List<Transaction> transactions() {
        return List.copyOf(transactions);
    }

    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                threads.submit(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (Socket s = socket) {
            if (stall) {
                Thread.sleep(60_000);
                return;
            }
            new Session(s).run();
        } catch (IOException | InterruptedException e) {
            // client went away
        } finally {
            sessionsEnded.incrementAndGet();
        }
    }

    private final class Session {
        private Socket socket;
        private BufferedReader in;
        private OutputStream out;
        private Transaction current;
        private boolean secure;
        private boolean open;

        Session(Socket socket) throws IOException {
            attach(socket);
        }

        private void attach(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = socket.getOutputStream();
        }

        void run() throws IOException {
            reply(greeting);
            if (hangUpAfterGreeting || !greeting.startsWith("220")) {
                if (!hangUpAfterGreeting) {
                    String quit = in.readLine();
                    if (quit != null) {
                        reply("221 bye");
                    }
                }
                return;
            }
            try {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (!handle(line)) {
                        return;
                    }
                }
            } finally {
                endTransaction();
            }
        }

        private boolean handle(String line) throws IOException {
            String upper = line.toUpperCase();
            if (upper.startsWith("EHLO")) {
                List<String> lines = new ArrayList<>(List.of("250-fake.mx", "250-8BITMIME", "250-SIZE 100000000"));
                if (dsn) {
                    lines.add("250-DSN");
                }
                if (tls != null && !secure) {
                    lines.add("250-STARTTLS");
                }
                lines.add("250 PIPELINING");
                reply(String.join("\r\n", lines));
            } else if (upper.startsWith("STARTTLS") && tls != null) {
                reply("220 2.0.0 go ahead");
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
                ssl.setUseClientMode(false);
                ssl.startHandshake();
                attach(ssl);
                secure = true;
            } else if (upper.startsWith("MAIL FROM:")) {
                current = new Transaction(line.substring("MAIL FROM:".length()));
                maxOpenTransactions.accumulateAndGet(openTransactions.incrementAndGet(), Math::max);
                open = true;
                current.tls = secure;
                reply("250 2.1.0 ok");
            } else if (upper.startsWith("RCPT TO:")) {
                rcpts.incrementAndGet();
                String rcpt = line.substring("RCPT TO:".length());
                String answer = rcptReply.apply(rcpt);
                if (answer.startsWith("2")) {
                    current.rcptTo.add(rcpt);
                }
                reply(answer);
            } else if (upper.equals("DATA")) {
                reply("354 go ahead");
                current.data = readData();
                pause(dataDelayMillis);
                transactions.add(current);
                endTransaction();
                reply(dataReply);
            } else if (upper.equals("QUIT")) {
                endTransaction();
                reply("221 2.0.0 bye");
                return false;
            } else if (upper.equals("RSET")) {
                endTransaction();
                current = null;
                reply("250 2.0.0 ok");
            } else {
                reply("502 5.5.1 not implemented");
            }
            return true;
        }

        /** Ends the count of an open transaction, once. */
        private void endTransaction() {
            if (open) {
                open = false;
                openTransactions.decrementAndGet();
            }
        }

        private void pause(long millis) throws IOException {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        private String readData() throws IOException {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            for (String line = in.readLine(); line != null && !line.equals("."); line = in.readLine()) {
                String unstuffed = line.startsWith("..") ? line.substring(1) : line;
                data.writeBytes((unstuffed + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            return data.toString(StandardCharsets.UTF_8);
        }

        private void reply(String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
