package io.mepsidecar.kafka;

import io.mepsidecar.contract.TraceContext;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class TraceHeadersTest {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final String OTHER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @Test
    void writesTheW3cNamesAndReadsThemBack() {
        Headers headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        TraceContext trace = new TraceContext(TRACEPARENT, "rojo=1", "k=v");

        TraceHeaders.write(headers, trace);

        assertThat(text(headers, "traceparent")).isEqualTo(TRACEPARENT);
        assertThat(text(headers, "tracestate")).isEqualTo("rojo=1");
        assertThat(text(headers, "baggage")).isEqualTo("k=v");
        assertThat(TraceHeaders.read(headers)).isEqualTo(trace);
    }

    @Test
    void writesNothingForNoContextOrItsMissingParts() {
        Headers headers = new org.apache.kafka.common.header.internals.RecordHeaders();

        TraceHeaders.write(headers, null);
        TraceHeaders.write(headers, new TraceContext(null, null, "k=v"));

        assertThat(headers.toArray()).extracting(h -> h.key()).containsExactly("baggage");
    }

    @Test
    void readsTheCloudEventsNamesWhenThePlainOnesAreAbsent() {
        Headers headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        RecordHeaders.put(headers, "ce_traceparent", TRACEPARENT);
        RecordHeaders.put(headers, "ce_tracestate", "rojo=1");

        assertThat(TraceHeaders.read(headers)).isEqualTo(new TraceContext(TRACEPARENT, "rojo=1", null));

        RecordHeaders.put(headers, "traceparent", OTHER);
        assertThat(TraceHeaders.read(headers)).as("the plain header wins, with its own tracestate (none)")
                .isEqualTo(new TraceContext(OTHER, null, null));
    }

    @Test
    void dropsAMalformedTraceparentFromARecord() {
        Headers headers = new org.apache.kafka.common.header.internals.RecordHeaders();
        RecordHeaders.put(headers, "traceparent", "00-garbage");
        RecordHeaders.put(headers, "tracestate", "rojo=1");

        assertThat(TraceHeaders.read(headers)).isNull();
    }

    private static String text(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
