package io.mepsidecar.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Inputs for the fuzz run: HTTP requests (the seed corpus {@code fuzz/http-seeds.txt} first, then random ones) and
 * Kafka record headers. Random choices come from one seeded {@link Random}, so a failing run is repeated with the
 * same seed.
 */
public final class FuzzCases {

    /** One HTTP request, sent byte for byte. */
    public record Request(String method, String target, Map<String, String> headers, byte[] body) {

        public String headerLines() {
            return headers.entrySet().stream().map(h -> h.getKey() + ": " + h.getValue())
                    .collect(Collectors.joining("\r\n"));
        }

        /** False when a header holds a byte that RFC 9110 forbids in a field value: not an HTTP message at all. */
        public boolean isWellFormed() {
            return headers.values().stream().allMatch(v -> v.chars().allMatch(c -> c == '\t' || (c >= ' ' && c != 0x7f)))
                    && target.chars().allMatch(c -> c > ' ' && c < 0x7f);
        }

        @Override
        public String toString() {
            return method + " " + target + " " + headers;
        }
    }

    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "TRACE"};
    private static final String[] OPERATIONS = {"echo", "echo", "echo", "gone", "status", "nope", "", "ECHO", "%65cho",
        "echo%00", "echo/x", "..", "%2e%2e"};
    private static final String[] CONTENT_TYPES = {"text/plain", "application/json", "application/x-a+json; v=\"1 2\"",
        "garbage", "text/", "text/plain; charset", "text/plain\u0001", "t\u00e9xt/plain", "*/*", ""};
    private static final String[] PREFERS = {"respond-async", "respond-async, wait=1", "wait=1", "wait=-1",
        "respond-async, wait=abc", "wait=99999999999999", "respond-async;x=y", "RESPOND-ASYNC", "\u0001"};
    private static final String[] TIMEOUTS = {"1s", "250ms", "PT1S", "0s", "-1s", "1h", "soon", "99999999999999999s"};
    private static final String[] CALLBACKS = {"/done", "/done/", "/%2e%2e/x", "/.%2e/x", "/a/%2E%2E/b", "/..%2f",
        "//evil", "http://evil/x", "/a?b", "/a%00", "/%zz", "relative"};
    private static final char[] ID_CHARS = "abc019-_.~:@!$&'()*+,;=%/?#[] \u0000\u0001\r\n\u007f\u00e9".toCharArray();

    private static final String[] IDEMPOTENCY_KEYS = {"k-1", "k-2", "k-1", "", " ", "k\u0001", "\u00e9"};

    private final Random random;
    private final String apiToken;

    /** Requests without a token. */
    public FuzzCases(long seed) {
        this(seed, null);
    }

    /**
     * Requests that mostly carry {@code Authorization: Bearer <apiToken>}, and otherwise none, another token or another
     * scheme.
     */
    public FuzzCases(long seed, String apiToken) {
        this.random = new Random(seed);
        this.apiToken = apiToken;
    }

    /** The seed corpus: the cases earlier runs found, always sent first. */
    public static List<Request> seeds() {
        try {
            List<Request> seeds = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("src/test/resources/fuzz/http-seeds.txt"))) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                Map<String, String> headers = new LinkedHashMap<>();
                if (fields.length > 2 && !fields[2].isBlank()) {
                    for (String header : fields[2].split(" \\| ")) {
                        String[] nameValue = header.split(": ", 2);
                        headers.put(nameValue[0], unescape(nameValue[1]));
                    }
                }
                byte[] body = fields.length > 3 ? unescape(fields[3]).getBytes(StandardCharsets.ISO_8859_1) : new byte[0];
                seeds.add(new Request(fields[0], fields[1], headers, body));
            }
            return seeds;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A random request aimed at the sidecar's API, mostly near valid ones. */
    public Request nextRequest() {
        String method = random.nextInt(3) == 0 ? pick(METHODS) : random.nextBoolean() ? "POST" : "GET";
        String target = switch (random.nextInt(6)) {
            case 0, 1 -> "/v1/invoke/" + pick(OPERATIONS);
            case 2, 3 -> "/v1/replies/" + id();
            case 4 -> {
                method = "PUT"; // a serving sidecar's deferred reply
                yield "/v1/replies/" + id();
            }
            default -> "/v1/" + id() + "/" + id();
        };
        if (random.nextInt(6) == 0) {
            target += "?" + (random.nextBoolean() ? "a=%zz" : "x=" + id());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        maybe(headers, "Content-Type", CONTENT_TYPES);
        maybe(headers, "Prefer", PREFERS);
        maybe(headers, "Mep-Timeout", TIMEOUTS);
        maybe(headers, "Mep-Callback", CALLBACKS);
        maybe(headers, "Idempotency-Key", IDEMPOTENCY_KEYS);
        authorization(headers);
        if (random.nextInt(20) == 0) { // huge or malformed values of the API's own headers
            String name = pick(new String[] {"Prefer", "Mep-Timeout", "Mep-Callback", "Idempotency-Key",
                "Content-Type", "Authorization"});
            headers.put(name, random.nextBoolean() ? "x".repeat(1 + random.nextInt(25_000)) : rawId());
        }
        if (random.nextInt(30) == 0) { // more header fields than the API takes
            for (int i = 0, n = 90 + random.nextInt(30); i < n; i++) {
                headers.put("X-Field-" + i, Integer.toString(i));
            }
        }
        if (random.nextInt(8) == 0) {
            headers.put("Mep-Status", Integer.toString(random.nextInt(1000) - 100));
        }
        if (random.nextInt(10) == 0) {
            headers.put("X-Fuzz", "v".repeat(random.nextInt(30_000)));
        }
        byte[] body = new byte[random.nextInt(3) == 0 ? 0 : random.nextInt(2048)];
        random.nextBytes(body);
        return new Request(method, target, headers, body);
    }

    private void authorization(Map<String, String> headers) {
        if (apiToken == null) {
            maybe(headers, "Authorization", new String[] {"Bearer x", "Basic eDp5"});
            return;
        }
        switch (random.nextInt(10)) {
            case 0 -> { } // none
            case 1 -> headers.put("Authorization", "Bearer " + apiToken + "x");
            case 2 -> headers.put("Authorization", "Basic " + apiToken);
            default -> headers.put("Authorization", "Bearer " + apiToken);
        }
    }

    /** A random value for a record header: sometimes valid, often not. */
    public String headerValue(String... valid) {
        return switch (random.nextInt(4)) {
            case 0, 1 -> valid[random.nextInt(valid.length)];
            case 2 -> rawId();
            default -> "";
        };
    }

    /**
     * Sometimes adds a header a sidecar writes or reads (or a random name) with bytes that are not UTF-8, or a second
     * copy of a header, to a record.
     */
    public void oddHeader(org.apache.kafka.common.header.Headers headers) {
        if (random.nextInt(4) != 0) {
            return;
        }
        String[] names = {"ce_correlationid", "ce_status", "ce_type", "ce_replyto", "ce_deadline", "content-type",
            "mep-hops", "mep-requeues", rawId()};
        headers.add(pick(names), random.nextBoolean() ? bytes(64) : new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    }

    public byte[] bytes(int max) {
        byte[] bytes = new byte[random.nextInt(max)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** An id for a path: a UUID, or random characters percent-encoded so the target stays one token. */
    private String id() {
        if (random.nextInt(4) == 0) {
            return UUID.randomUUID().toString();
        }
        StringBuilder id = new StringBuilder();
        for (char c : rawId().toCharArray()) {
            if (Character.isLetterOrDigit(c) && c < 0x7f) {
                id.append(c);
            } else {
                for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
                    id.append('%').append(String.format("%02X", b & 0xff));
                }
            }
        }
        return id.toString();
    }

    private String rawId() {
        int length = random.nextInt(10) == 0 ? 200 + random.nextInt(100) : 1 + random.nextInt(40);
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < length; i++) {
            id.append(ID_CHARS[random.nextInt(ID_CHARS.length)]);
        }
        return id.toString();
    }

    private void maybe(Map<String, String> headers, String name, String[] values) {
        if (random.nextInt(3) == 0) {
            headers.put(name, pick(values));
        }
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static String unescape(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 == text.length()) {
                out.append(c);
                continue;
            }
            char next = text.charAt(++i);
            switch (next) {
                case 'r' -> out.append('\r');
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'x' -> {
                    out.append((char) Integer.parseInt(text.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                default -> out.append(next);
            }
        }
        return out.toString();
    }
}
