package io.mepsidecar.caller;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rule for {@code Mep-Callback}: a path on the caller's own app that no server can read as leaving it. Each
 * segment is percent-decoded and checked as a server that decodes before routing would see it: no {@code .} or
 * {@code ..} segment, no empty segment ({@code //}) but a trailing slash, no encoded {@code /} or {@code \} inside
 * a segment, no control character; no query or fragment. The path is used as given once it passes.
 */
final class CallbackPath {

    private static final Pattern RAW = Pattern.compile("/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*");
    private static final int MAX_LENGTH = 2048;

    private CallbackPath() {
    }

    /** Why the path is refused, or empty when it is acceptable. */
    static Optional<String> problem(String path) {
        if (path.length() > MAX_LENGTH || !RAW.matcher(path).matches()) {
            return Optional.of("it must start with '/' and hold only path characters (no query, fragment or space)");
        }
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            boolean last = i == segments.length - 1;
            Optional<String> decoded = decode(segments[i]);
            if (decoded.isEmpty()) {
                return Optional.of("it has a malformed percent-encoding");
            }
            String segment = decoded.get();
            if (segment.isEmpty() && !last) {
                return Optional.of("it has an empty segment ('//')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                return Optional.of("it has a '.' or '..' segment (also when percent-encoded)");
            }
            if (segment.indexOf('/') >= 0 || segment.indexOf('\\') >= 0) {
                return Optional.of("a segment holds an encoded '/' or '\\'");
            }
            if (segment.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                return Optional.of("a segment holds an encoded control character");
            }
        }
        return Optional.empty();
    }

    /** Strict percent-decoding as UTF-8; empty for a malformed escape or invalid UTF-8. */
    private static Optional<String> decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return Optional.of(segment);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                bytes.write(c);
                continue;
            }
            if (i + 2 >= segment.length()) {
                return Optional.empty();
            }
            int high = Character.digit(segment.charAt(i + 1), 16);
            int low = Character.digit(segment.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                return Optional.empty();
            }
            bytes.write(high * 16 + low);
            i += 2;
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
