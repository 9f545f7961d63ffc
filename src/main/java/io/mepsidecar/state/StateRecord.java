package io.mepsidecar.state;

import io.mepsidecar.kafka.RecordHeaders;
import org.apache.kafka.common.header.Headers;

import java.time.Instant;
import java.util.Optional;

/**
 * One record of the app's state topic, as a {@link StateHandler} sees it: a key ({@code <kind>/<id>}), headers that
 * say what the entry is, and an optional body. A tombstone (no value) forgets the key.
 *
 * @param key       the whole key, kind prefix included
 * @param headers   the record's headers
 * @param value     the body; null for a tombstone
 * @param timestamp when the record was written
 */
public record StateRecord(String key, Headers headers, byte[] value, Instant timestamp) {

    public boolean isTombstone() {
        return value == null;
    }

    /** The key without its kind prefix: a correlation id, or a hashed idempotency key. */
    public String id() {
        int slash = key.indexOf('/');
        return slash < 0 ? key : key.substring(slash + 1);
    }

    public Optional<String> header(String name) {
        return RecordHeaders.get(headers, name);
    }
}
