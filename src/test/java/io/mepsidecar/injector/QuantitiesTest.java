package io.mepsidecar.injector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuantitiesTest {

    @Test
    void readsDecimalBinaryAndExponentSuffixes() {
        assertThat(Quantities.parse("100m")).isEqualByComparingTo("0.1");
        assertThat(Quantities.parse("0.5")).isEqualByComparingTo("0.5");
        assertThat(Quantities.parse("192Mi")).isEqualByComparingTo(BigDecimal.valueOf(192L * 1024 * 1024));
        assertThat(Quantities.parse("1G")).isEqualByComparingTo("1000000000");
        assertThat(Quantities.parse("1E")).isEqualByComparingTo("1000000000000000000");
        assertThat(Quantities.parse("12e3")).isEqualByComparingTo("12000");
    }

    @Test
    void refusesWhatIsNotAQuantity() {
        assertThatThrownBy(() -> Quantities.parse("lots")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Quantities.parse("-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Quantities.parse("1MB")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void findsARequestAboveItsLimit() {
        assertThat(Quantities.requestAboveLimit(Map.of("memory", "512Mi"), Map.of("memory", "256Mi")))
                .isEqualTo("memory");
        assertThat(Quantities.requestAboveLimit(Map.of("memory", "256Mi", "cpu", "2"), Map.of("memory", "0.25Gi")))
                .isNull();
    }
}
