package org.postino.server.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The administration commands of {@code bin/postino}, talking to the running server's WebAdmin.
 *
 * <pre>
 *   domain add|remove DOMAIN        domain list
 *   user add ADDRESS [PASSWORD]     user remove ADDRESS
 *   user password ADDRESS [PASSWORD]
 *   user list
 *   queue                           each mail queue's size, then the outgoing queue by destination
 *   queue retry [DOMAIN | --name NAME]          make waiting mail due now: all, one destination, one mail
 *   queue delete DOMAIN | --name NAME | --all
 *   queue return --name NAME        remove a mail and send its sender a "failed" notice
 * </pre>
 * The queue commands are {@link QueueCommands}.
 * A password left out is read from the terminal (or from standard input, one line).
 * Exit codes: 0 done, 1 refused by the server, 2 wrong usage, 3 server unreachable.
 */
public final class PostinoAdmin {

    private static final Pattern JSON_STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern USERNAME = Pattern.compile("\"username\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final WebAdminClient webAdmin;
    private final PrintStream out;

    PostinoAdmin(WebAdminClient webAdmin, PrintStream out) {
        this.webAdmin = webAdmin;
        this.out = out;
    }

    public static void main(String[] args) {
        Path home = Path.of(System.getProperty("postino.home", ".")).toAbsolutePath().normalize();
        PostinoAdmin admin = new PostinoAdmin(WebAdminClient.fromConf(home.resolve("conf")), System.out);
        System.exit(admin.run(Arrays.asList(args)));
    }

    int run(List<String> args) {
        try {
            return dispatch(args);
        } catch (UsageException e) {
            System.err.println("postino: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("postino: " + e.getMessage());
            return 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 3;
        }
    }

    private int dispatch(List<String> args) throws IOException, InterruptedException {
        String noun = arg(args, 0, "a command: domain, user or queue");
        switch (noun) {
            case "domain":
                return domain(args);
            case "user":
                return user(args);
            case "queue":
                return new QueueCommands(webAdmin, out, System.err, Clock.systemUTC()).run(args.subList(1, args.size()));
            default:
                throw new UsageException("unknown command '" + noun + "'");
        }
    }

    private int domain(List<String> args) throws IOException, InterruptedException {
        String verb = arg(args, 1, "domain add|remove|list");
        switch (verb) {
            case "list":
                return printStrings(webAdmin.get("/domains"), JSON_STRING);
            case "add":
                return report(webAdmin.put("/domains/" + WebAdminClient.segment(arg(args, 2, "a domain name")), null),
                    "domain " + args.get(2) + " added");
            case "remove":
                return report(webAdmin.delete("/domains/" + WebAdminClient.segment(arg(args, 2, "a domain name"))),
                    "domain " + args.get(2) + " removed");
            default:
                throw new UsageException("unknown domain command '" + verb + "'");
        }
    }

    private int user(List<String> args) throws IOException, InterruptedException {
        String verb = arg(args, 1, "user add|remove|password|list");
        switch (verb) {
            case "list":
                return printStrings(webAdmin.get("/users"), USERNAME);
            case "add":
            case "password": {
                String address = arg(args, 2, "a user address such as alice@example.com");
                String password = args.size() > 3 ? args.get(3) : readPassword(address);
                String path = "/users/" + WebAdminClient.segment(address) + (verb.equals("add") ? "" : "?force");
                String body = "{\"password\":\"" + password.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
                return report(webAdmin.put(path, body), verb.equals("add") ? "user " + address + " added" : "password of " + address + " changed");
            }
            case "remove": {
                String address = arg(args, 2, "a user address");
                return report(webAdmin.delete("/users/" + WebAdminClient.segment(address)), "user " + address + " removed");
            }
            default:
                throw new UsageException("unknown user command '" + verb + "'");
        }
    }

    private int printStrings(WebAdminClient.Response response, Pattern pattern) {
        if (!response.ok()) {
            return report(response, "");
        }
        strings(response.body, pattern).forEach(out::println);
        return 0;
    }

    private static List<String> strings(String json, Pattern pattern) {
        List<String> values = new ArrayList<>();
        Matcher matcher = pattern.matcher(json);
        while (matcher.find()) {
            values.add(matcher.group(1));
        }
        return values;
    }

    private int report(WebAdminClient.Response response, String success) {
        if (response.ok()) {
            if (!success.isEmpty()) {
                out.println(success);
            }
            return 0;
        }
        Matcher message = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(response.body);
        System.err.println("postino: refused (HTTP " + response.status + "): " + (message.find() ? message.group(1) : response.body));
        return 1;
    }

    private static String readPassword(String address) throws IOException {
        Console console = System.console();
        if (console != null) {
            char[] first = console.readPassword("Password for %s: ", address);
            char[] second = console.readPassword("Again: ");
            if (first == null || !Arrays.equals(first, second)) {
                throw new UsageException("passwords do not match");
            }
            return new String(first);
        }
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) {
            throw new UsageException("no password given");
        }
        return line;
    }

    private static String arg(List<String> args, int index, String expected) {
        if (args.size() <= index) {
            throw new UsageException("expected " + expected);
        }
        return args.get(index);
    }

    /** Wrong usage: the message says what was expected; exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
