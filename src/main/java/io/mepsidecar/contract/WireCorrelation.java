package io.mepsidecar.contract;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The correlation id of a record as it is on the wire, in the dialect whose header carries it, and as the text the
 * sidecar shows to its app ({@code Mep-Correlation-Id}) and keys its state by. A reply carries back the very bytes of
 * its request, so a client that correlates binary ids (Spring's {@code ReplyingKafkaTemplate} sends 16 bytes of a
 * UUID) gets its own id back.
 *
 * @param dialect the dialect whose correlation header the record carries
 * @param bytes   the header's value
 * @param id      the id as text: in the CloudEvents dialect, the bytes themselves when they are an id
 *                ({@link CorrelationIds#RULE}), else none. In the binary dialects (Spring, SmallRye), the bytes
 *                themselves only when they are letters, digits and {@code . _ ~ : -} (so that random bytes never make
 *                an id that needs escaping in {@code /v1/replies/{id}}), else a UUID when they are 16 bytes, else
 *                their hex digits.
 */
public record WireCorrelation(Dialect dialect, byte[] bytes, String id) {

    /** What the bytes of a binary dialect's id may be to be taken as its text. */
    private static final Pattern URL_SAFE = Pattern.compile("[A-Za-z0-9._~:-]+");

    /** The correlation the sidecar gives a call of its own: its id as UTF-8 text. */
    public static WireCorrelation of(Dialect dialect, String id) {
        return new WireCorrelation(dialect, id.getBytes(StandardCharsets.UTF_8), id);
    }

    /**
     * The correlation a record carries, looked for in the dialects' headers in their order (CloudEvents first);
     * empty when it carries none, or one that cannot be an id (empty, or too long even as text).
     */
    public static Optional<WireCorrelation> read(Headers headers) {
        for (Dialect dialect : Dialect.values()) {
            Header header = headers.lastHeader(dialect.correlationHeader());
            if (header != null) {
                return textOf(dialect, header.value()).map(id -> new WireCorrelation(dialect, header.value(), id));
            }
        }
        return Optional.empty();
    }

    /** Whether the record carries a correlation header of any dialect, usable or not. */
    public static boolean present(Headers headers) {
        for (Dialect dialect : Dialect.values()) {
            if (headers.lastHeader(dialect.correlationHeader()) != null) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> textOf(Dialect dialect, byte[] value) {
        if (value == null || value.length == 0) {
            return Optional.empty();
        }
        String text = new String(value, StandardCharsets.ISO_8859_1); // byte for byte: only ASCII can pass the rule
        if (dialect == Dialect.CLOUDEVENTS) {
            return CorrelationIds.isValid(text) ? Optional.of(text) : Optional.empty();
        }
        if (CorrelationIds.isValid(text) && URL_SAFE.matcher(text).matches()) {
            return Optional.of(text);
        }
        if (value.length == 16) {
            ByteBuffer buffer = ByteBuffer.wrap(value);
            return Optional.of(new UUID(buffer.getLong(), buffer.getLong()).toString());
        }
        String hex = HexFormat.of().formatHex(value);
        return CorrelationIds.isValid(hex) ? Optional.of(hex) : Optional.empty();
    }
}
