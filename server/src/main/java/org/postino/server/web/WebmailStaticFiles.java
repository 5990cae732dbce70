package org.postino.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The webmail's front-end, read from the class path directory {@value #ROOT} (the {@code postino-webmail} jar):
 * {@code index.html} and the flat directory {@code assets/}. Names are checked against a strict pattern before any
 * look-up (letters, digits, {@code . _ -}, no leading dot), so no request reaches anything else on the class path.
 * Files found are read once and kept (the jar does not change while the server runs); names not found are
 * not remembered, so made-up names cost no memory.
 */
public final class WebmailStaticFiles {

    static final String ROOT = "postino-webmail/";
    private static final Pattern ASSET_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,199}");
    /** Vite's output names: {@code name-<8 characters of hash>.ext}; the hash has a digit or a capital letter. */
    private static final Pattern HASHED = Pattern.compile(".+-(?=[A-Za-z0-9_-]*[0-9A-Z])[A-Za-z0-9_-]{8,}\\.[a-z0-9]+");
    private static final Map<String, String> TYPES = Map.ofEntries(
        Map.entry("html", "text/html; charset=utf-8"),
        Map.entry("js", "text/javascript; charset=utf-8"),
        Map.entry("mjs", "text/javascript; charset=utf-8"),
        Map.entry("css", "text/css; charset=utf-8"),
        Map.entry("json", "application/json"),
        Map.entry("map", "application/json"),
        Map.entry("webmanifest", "application/manifest+json"),
        Map.entry("txt", "text/plain; charset=utf-8"),
        Map.entry("svg", "image/svg+xml"),
        Map.entry("png", "image/png"),
        Map.entry("jpg", "image/jpeg"),
        Map.entry("jpeg", "image/jpeg"),
        Map.entry("gif", "image/gif"),
        Map.entry("webp", "image/webp"),
        Map.entry("avif", "image/avif"),
        Map.entry("ico", "image/x-icon"),
        Map.entry("woff", "font/woff"),
        Map.entry("woff2", "font/woff2"),
        Map.entry("ttf", "font/ttf"),
        Map.entry("otf", "font/otf"),
        Map.entry("wasm", "application/wasm"));

    /** A file to send: its bytes, content type and caching rule. */
    public record File(byte[] content, String contentType, String cacheControl) {
    }

    private final ClassLoader classLoader;
    private final Map<String, File> cache = new ConcurrentHashMap<>();

    public WebmailStaticFiles() {
        this(WebmailStaticFiles.class.getClassLoader());
    }

    WebmailStaticFiles(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    /** index.html; empty when the front-end is not installed. */
    public Optional<File> index() {
        return load("index.html", "no-store");
    }

    /** {@code assets/<name>}; empty for a name outside the pattern or a file that is not there. */
    public Optional<File> asset(String name) {
        if (name == null || !ASSET_NAME.matcher(name).matches() || name.contains("..")) {
            return Optional.empty();
        }
        return load("assets/" + name, isHashed(name) ? "public, max-age=31536000, immutable" : "no-cache");
    }

    static boolean isHashed(String name) {
        return HASHED.matcher(name).matches();
    }

    static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(extension, "application/octet-stream");
    }

    private Optional<File> load(String relative, String cacheControl) {
        File known = cache.get(relative);
        if (known != null) {
            return Optional.of(known);
        }
        URL url = classLoader.getResource(ROOT + relative);
        if (url == null || isDirectory(url)) {
            return Optional.empty();
        }
        try (InputStream in = url.openStream()) {
            File file = new File(in.readAllBytes(), contentType(relative), cacheControl);
            cache.putIfAbsent(relative, file);
            return Optional.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT + relative, e);
        }
    }

    private static boolean isDirectory(URL url) {
        if (!"file".equals(url.getProtocol())) {
            return url.getPath().endsWith("/");
        }
        try {
            return java.nio.file.Files.isDirectory(java.nio.file.Path.of(url.toURI()));
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            return true;
        }
    }

    /** The page answered (503) when the front-end jar is missing. */
    static byte[] notInstalledPage() {
        return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Webmail not installed</title></head>"
            + "<body><h1>Webmail not installed</h1><p>This Postino server has no webmail front-end "
            + "(the postino-webmail jar is not in its lib/ directory). Mail clients can still use IMAP, POP3, SMTP and "
            + "JMAP.</p></body></html>\n").getBytes(StandardCharsets.UTF_8);
    }
}
