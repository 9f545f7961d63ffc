package io.mepsidecar.contract;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The values that reach HTTP headers from the wire or from callers: correlation ids, header values, media types. */
class WireValuesTest {

    @ParameterizedTest
    @ValueSource(strings = {"4982c143-ecc1-4b9c-ad0e-6ae439b8ff35", "a", "order:42/retry#1", "~!@$%^&*()_+"})
    void acceptsVisibleAsciiCorrelationIds(String id) {
        assertThat(CorrelationIds.isValid(id)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "\u0000", "a\r\nX:1", "\u0007", "été", "tab\there", "\u007f"})
    void refusesCorrelationIdsThatCannotTravelInAHeader(String id) {
        assertThat(CorrelationIds.isValid(id)).isFalse();
    }

    @Test
    void refusesCorrelationIdsLongerThanTheLimit() {
        assertThat(CorrelationIds.isValid("x".repeat(CorrelationIds.MAX_LENGTH))).isTrue();
        assertThat(CorrelationIds.isValid("x".repeat(CorrelationIds.MAX_LENGTH + 1))).isFalse();
        assertThat(CorrelationIds.isValid(null)).isFalse();
    }

    @Test
    void headerValuesAreSafeWithoutControlOrNonAsciiCharacters() {
        assertThat(HeaderValues.isSafe("text/plain; charset=utf-8")).isTrue();
        assertThat(HeaderValues.isSafe("a\tb")).isTrue();
        assertThat(HeaderValues.isSafe("text/plain\u0001")).isFalse();
        assertThat(HeaderValues.isSafe("a\r\nSet-Cookie: x")).isFalse();
        assertThat(HeaderValues.isSafe("café")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "text/plain; charset=utf-8", "application/x-weird+json;v=\"1 2\"",
        "application/vnd.a.b-c+xml ; q=1 ; x=\"a\\\"b\"", "*/*"})
    void acceptsSyntacticallyValidMediaTypes(String type) {
        assertThat(MediaTypes.isValid(type)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "text/", "/plain", "text/plain;", "text/plain; charset", "text plain",
        "text/plain\u0001", "text/plain; a=\"unterminated", "tëxt/plain", "text/plain, text/html"})
    void refusesWhatIsNotAMediaType(String type) {
        assertThat(MediaTypes.isValid(type)).isFalse();
    }
}
