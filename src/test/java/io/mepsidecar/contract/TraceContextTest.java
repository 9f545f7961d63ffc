package io.mepsidecar.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TraceContextTest {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final String TRACESTATE = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
    private static final String BAGGAGE = "userId=alice,serverNode=DF%2028";

    @Test
    void keepsValidValuesAsTheyCame() {
        TraceContext trace = TraceContext.of(TRACEPARENT, TRACESTATE, BAGGAGE);

        assertThat(trace).isEqualTo(new TraceContext(TRACEPARENT, TRACESTATE, BAGGAGE));
        assertThat(trace.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void trimsSurroundingWhitespace() {
        assertThat(TraceContext.of(" " + TRACEPARENT + "\t", " " + TRACESTATE, BAGGAGE + " "))
                .isEqualTo(new TraceContext(TRACEPARENT, TRACESTATE, BAGGAGE));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",              // no flags
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",            // trace id one digit short
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",            // parent id one digit short
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",           // upper case
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",           // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",           // all-zero parent id
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",           // another version
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",     // trailing data
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",           // wrong separators
        "00-4bf92f3577b34da6a3ce929d0e0e47zz-00f067aa0ba902b7-01"            // not hex
    })
    void dropsAMalformedTraceparentAndItsTracestate(String traceparent) {
        assertThat(TraceContext.validTraceparent(traceparent)).isFalse();
        assertThat(TraceContext.of(traceparent, TRACESTATE, null)).isNull();
        assertThat(TraceContext.of(traceparent, TRACESTATE, BAGGAGE))
                .isEqualTo(new TraceContext(null, null, BAGGAGE));
    }

    @Test
    void dropsATracestateOrBaggageThatIsTooLongOrNotVisibleAscii() {
        String longState = "a=" + "b".repeat(TraceContext.MAX_TRACESTATE - 1);
        String longBaggage = "a=" + "b".repeat(TraceContext.MAX_BAGGAGE - 1);

        assertThat(TraceContext.of(TRACEPARENT, longState, longBaggage))
                .isEqualTo(new TraceContext(TRACEPARENT, null, null));
        assertThat(TraceContext.of(TRACEPARENT, "a=1\r\nX-Injected: yes", "k=v\u00e9"))
                .isEqualTo(new TraceContext(TRACEPARENT, null, null));
        assertThat(TraceContext.of(TRACEPARENT, longState.substring(1), longBaggage.substring(1)))
                .isEqualTo(new TraceContext(TRACEPARENT, longState.substring(1), longBaggage.substring(1)));
    }

    @Test
    void nothingUsableIsNoContext() {
        assertThat(TraceContext.of(null, null, null)).isNull();
        assertThat(TraceContext.of(null, TRACESTATE, "  ")).isNull();
    }

    @Test
    void readsHttpHeadersJoiningRepeatedListsAndRefusingTwoTraceparents() {
        Map<String, List<String>> headers = Map.of(
                "traceparent", List.of(TRACEPARENT),
                "tracestate", List.of("rojo=00f067aa0ba902b7", "congo=t61rcWkgMzE"),
                "baggage", List.of(BAGGAGE));
        assertThat(TraceContext.fromHttp(headers::get)).isEqualTo(new TraceContext(TRACEPARENT, TRACESTATE, BAGGAGE));

        Map<String, List<String>> twice = Map.of("traceparent", List.of(TRACEPARENT, TRACEPARENT),
                "tracestate", List.of(TRACESTATE));
        assertThat(TraceContext.fromHttp(twice::get)).isNull();
        assertThat(TraceContext.fromHttp(name -> null)).isNull();
    }

    @Test
    void theRepliesContextIsTheAppsWhereItHasOneElseTheRequests() {
        TraceContext request = new TraceContext(TRACEPARENT, TRACESTATE, BAGGAGE);
        String answered = "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01";

        assertThat(TraceContext.either(new TraceContext(answered, "app=1", null), request))
                .isEqualTo(new TraceContext(answered, "app=1", BAGGAGE));
        assertThat(TraceContext.either(new TraceContext(null, null, "k=v"), request))
                .isEqualTo(new TraceContext(TRACEPARENT, TRACESTATE, "k=v"));
        assertThat(TraceContext.either(null, request)).isEqualTo(request);
        assertThat(TraceContext.either(request, null)).isEqualTo(request);
        assertThat(TraceContext.either(null, null)).isNull();
    }

    @Test
    void aLaterExchangeIsTakenOnlyWhereItContinuesTheRequestsTrace() {
        TraceContext request = new TraceContext(TRACEPARENT, TRACESTATE, BAGGAGE);
        TraceContext sameTrace = new TraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01", "app=1",
                "k=v");
        TraceContext newTrace = new TraceContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "app=1",
                "k=v");

        assertThat(TraceContext.continuing(sameTrace, request)).isEqualTo(sameTrace);
        assertThat(TraceContext.continuing(newTrace, request)).as("only the baggage of another trace")
                .isEqualTo(new TraceContext(null, null, "k=v"));
        assertThat(TraceContext.either(TraceContext.continuing(newTrace, request), request))
                .isEqualTo(new TraceContext(TRACEPARENT, TRACESTATE, "k=v"));
        assertThat(TraceContext.continuing(new TraceContext(newTrace.traceparent(), null, null), request)).isNull();
        assertThat(TraceContext.continuing(newTrace, null)).as("the request had none").isEqualTo(newTrace);
        assertThat(TraceContext.continuing(null, request)).isNull();
    }
}
