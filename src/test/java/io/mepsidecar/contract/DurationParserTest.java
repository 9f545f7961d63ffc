package io.mepsidecar.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationParserTest {

    @Test
    void readsMilliseconds() {
        assertThat(DurationParser.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void readsSeconds() {
        assertThat(DurationParser.parse("5s")).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void readsMinutes() {
        assertThat(DurationParser.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void readsHours() {
        assertThat(DurationParser.parse("1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void readsIso8601() {
        assertThat(DurationParser.parse("PT5S")).isEqualTo(Duration.ofSeconds(5));
        assertThat(DurationParser.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void trimsSurroundingWhitespace() {
        assertThat(DurationParser.parse("  5s \t")).isEqualTo(Duration.ofSeconds(5));
        assertThat(DurationParser.parse(" PT2S ")).isEqualTo(Duration.ofSeconds(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "5", "5 s", "5sec", "-5s", "1.5s", "", "ms"})
    void rejectsGarbageWithAHelpfulMessage(String text) {
        assertThatThrownBy(() -> DurationParser.parse(text))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("'" + text + "' is not a duration")
                .hasMessageContaining("250ms")
                .hasMessageContaining("PT5S");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> DurationParser.parse(null))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("not a duration");
    }

    @Test
    void rejectsANumberTooLargeForALong() {
        assertThatThrownBy(() -> DurationParser.parse("99999999999999999999s"))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("99999999999999999999s");
    }

    @Test
    void rejectsAnAmountThatOverflowsADuration() {
        assertThatThrownBy(() -> DurationParser.parse("9223372036854775807h"))
                .isInstanceOf(ContractException.class)
                .hasMessageContaining("9223372036854775807h");
    }
}
