package io.mepsidecar.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;

/** Bearer tokens between an app and its sidecar: parsing the header, and comparing in constant time. */
public final class Tokens {

    /** The header that carries a token, both ways: {@code Authorization: Bearer <token>}. */
    public static final String HEADER = "Authorization";
    private static final String SCHEME = "bearer ";

    private Tokens() {
    }

    /** A token as configured, stripped; empty when unset or blank (then no token is used). */
    public static Optional<String> configured(Optional<String> setting) {
        return setting.map(String::strip).filter(token -> !token.isEmpty());
    }

    /** {@code Authorization} value for a token. */
    public static String bearer(String token) {
        return "Bearer " + token;
    }

    /** The token of an {@code Authorization: Bearer} value; null when there is none or the scheme is another. */
    static String parseBearer(String authorization) {
        if (authorization == null || authorization.length() <= SCHEME.length()
                || !authorization.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
            return null;
        }
        return authorization.substring(SCHEME.length()).strip();
    }

    /**
     * Whether {@code presented} is {@code expected}, in a time that depends on neither: both are hashed first, so
     * neither the position of the first differing byte nor the length of the expected token shows in the timing.
     */
    static boolean matches(byte[] expectedDigest, String presented) {
        return presented != null && MessageDigest.isEqual(expectedDigest, digest(presented));
    }

    static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
