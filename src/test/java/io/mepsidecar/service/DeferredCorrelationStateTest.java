package io.mepsidecar.service;

import io.mepsidecar.contract.Dialect;
import io.mepsidecar.contract.WireCorrelation;
import io.mepsidecar.state.StateHeaders;
import io.mepsidecar.state.StateRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A deferred request's correlation, kept in the state topic so that a PUT at another replica answers in the
 * request's dialect with its very bytes: what is written, and what is read back.
 */
class DeferredCorrelationStateTest {

    @Test
    void aSpringBinaryIdComesBackWithItsDialectAndBytes() {
        UUID uuid = UUID.randomUUID();
        byte[] bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array();
        WireCorrelation written = new WireCorrelation(Dialect.SPRING, bytes, uuid.toString());

        Map<String, String> headers = new LinkedHashMap<>();
        ServedRequests.putCorrelation(headers, written);
        WireCorrelation read = ServedRequests.correlation(uuid.toString(), record(headers));

        assertThat(headers).containsEntry(StateHeaders.DIALECT, "spring").containsKey(StateHeaders.CORRELATION_BYTES);
        assertThat(read.dialect()).isEqualTo(Dialect.SPRING);
        assertThat(read.bytes()).isEqualTo(bytes);
        assertThat(read.id()).isEqualTo(uuid.toString());
    }

    @Test
    void aCloudEventsTextIdAddsNothingAndReadsBackAsItself() {
        String id = UUID.randomUUID().toString();
        Map<String, String> headers = new LinkedHashMap<>();
        ServedRequests.putCorrelation(headers, WireCorrelation.of(Dialect.CLOUDEVENTS, id));

        WireCorrelation read = ServedRequests.correlation(id, record(headers));

        assertThat(headers).isEmpty();
        assertThat(read.dialect()).isEqualTo(Dialect.CLOUDEVENTS);
        assertThat(read.bytes()).isEqualTo(id.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSmallRyeTextIdKeepsOnlyItsDialect() {
        String id = UUID.randomUUID().toString();
        Map<String, String> headers = new LinkedHashMap<>();
        ServedRequests.putCorrelation(headers, WireCorrelation.of(Dialect.SMALLRYE, id));

        assertThat(headers).containsOnlyKeys(StateHeaders.DIALECT);
        assertThat(ServedRequests.correlation(id, record(headers)).dialect()).isEqualTo(Dialect.SMALLRYE);
    }

    @Test
    void anUnknownDialectIsAnErrorTheStateViewSkips() {
        assertThatThrownBy(() -> ServedRequests.correlation("x", record(Map.of(StateHeaders.DIALECT, "soap"))))
                .hasMessageContaining("unknown dialect 'soap'");
    }

    private static StateRecord record(Map<String, String> headers) {
        RecordHeaders kafkaHeaders = new RecordHeaders();
        headers.forEach((name, value) -> kafkaHeaders.add(name, value.getBytes(StandardCharsets.UTF_8)));
        return new StateRecord("served:x", kafkaHeaders, new byte[0], Instant.now());
    }
}
