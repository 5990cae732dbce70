package org.postino.extensions.search.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Copies the node's stdout and stderr to a file, keeping the last lines for error messages. */
final class NodeOutput {
    static final long ROTATE_OUTPUT_ABOVE_BYTES = 8L * 1024 * 1024;
    static final int TAIL_LINES = 30;
    private final Path file;
    private final Writer writer;
    private final Deque<String> tail = new ArrayDeque<>();
    private final List<Thread> pumps = new ArrayList<>();
    private int openStreams;

    private NodeOutput(Path file, Writer writer) {
        this.file = file;
        this.writer = writer;
    }

    static NodeOutput open(Path file) throws IOException {
        if (Files.isRegularFile(file) && Files.size(file) > ROTATE_OUTPUT_ABOVE_BYTES) {
            Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
        // appended to: a second node refused on the same directory writes here too, and must not erase the first's
        Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        return new NodeOutput(file, writer);
    }

    synchronized void note(String line) {
        write("---- " + OffsetDateTime.now() + " " + line);
    }

    synchronized void pump(InputStream stream, String name, Consumer<String> onLine) {
        openStreams++;
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    line(line);
                    onLine.accept(line);
                }
            } catch (IOException e) {
                line("(" + name + " of the node unreadable: " + e + ")");
            } finally {
                streamEnded();
            }
        }, "opensearch-node-" + name);
        pump.setDaemon(true);
        pumps.add(pump);
        pump.start();
    }

    private synchronized void line(String line) {
        tail.addLast(line);
        while (tail.size() > TAIL_LINES) {
            tail.removeFirst();
        }
        write(line);
    }

    private void write(String line) {
        try {
            writer.write(line);
            writer.write(System.lineSeparator());
            writer.flush();
        } catch (IOException e) {
            // the copy is best effort; the tail in memory still serves error messages
        }
    }

    private synchronized void streamEnded() {
        if (--openStreams == 0) {
            close();
        }
    }

    synchronized void close() {
        try {
            writer.close();
        } catch (IOException e) {
            // nothing more to write anyway
        }
    }

    void awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Thread> threads;
        synchronized (this) {
            threads = List.copyOf(pumps);
        }
        try {
            for (Thread pump : threads) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left > 0) {
                    pump.join(left);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** "; output in FILE, last lines:" followed by the tail, one indented line each. */
    synchronized String describe() {
        StringBuilder text = new StringBuilder("; output in ").append(file);
        if (tail.isEmpty()) {
            return text.append(" (no output)").toString();
        }
        text.append(", last lines:");
        for (String line : tail) {
            text.append(System.lineSeparator()).append("    ").append(line);
        }
        return text.toString();
    }
}
