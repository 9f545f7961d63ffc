package io.mepsidecar.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class TokensTest {

    @ParameterizedTest
    @CsvSource({"Bearer s3cret, s3cret", "bearer s3cret, s3cret", "BEARER  s3cret , s3cret"})
    void readsTheTokenOfABearerAuthorization(String header, String token) {
        assertThat(Tokens.parseBearer(header)).isEqualTo(token);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"Bearer", "Bearer ", "Basic czNjcmV0", "s3cret", "Bearers3cret"})
    void findsNoTokenInAnythingElse(String header) {
        assertThat(Tokens.parseBearer(header)).isNull();
    }

    @Test
    void matchesOnlyTheSameToken() {
        byte[] expected = Tokens.digest("s3cret");

        assertThat(Tokens.matches(expected, "s3cret")).isTrue();
        assertThat(Tokens.matches(expected, "s3cre")).isFalse();
        assertThat(Tokens.matches(expected, "s3cret ")).isFalse();
        assertThat(Tokens.matches(expected, "S3CRET")).isFalse();
        assertThat(Tokens.matches(expected, "")).isFalse();
        assertThat(Tokens.matches(expected, null)).isFalse();
    }
}
