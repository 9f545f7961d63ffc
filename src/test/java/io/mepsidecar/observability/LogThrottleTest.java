package io.mepsidecar.observability;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LogThrottleTest {

    @Test
    void letsTheFirstThroughThenNoneUntilTheIntervalPassed() {
        LogThrottle throttle = new LogThrottle(Duration.ofMinutes(1));

        assertThat(throttle.due()).isTrue();
        assertThat(throttle.due()).isFalse();
        assertThat(throttle.due()).isFalse();
    }

    @Test
    void letsOneThroughAgainOnceTheIntervalPassed() {
        LogThrottle throttle = new LogThrottle(Duration.ofMillis(200));
        assertThat(throttle.due()).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(throttle::due);
        assertThat(throttle.due()).isFalse();
    }
}
