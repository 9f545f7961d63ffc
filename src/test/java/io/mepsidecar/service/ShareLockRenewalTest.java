package io.mepsidecar.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How often a share slot renews the acquisition lock of a request its app still works on. */
class ShareLockRenewalTest {

    @ParameterizedTest(name = "a {0} ms lock is renewed every {1} ms")
    @CsvSource({
            "30000, 15000", // the broker's default: every half lock
            "15000, 7500", // the broker's default minimum
            "10000, 5000", // from here down, renewals keep 5 s of the lock
            "8000, 3000",
            "6000, 1000", // at most once a second
            "3000, 1000",
            "1500, 750", // but twice a lock when a second is more than half of it
            "1000, 500"})
    void renewsEveryHalfLockButKeepsAMarginOfShortLocks(long lockMs, long intervalMs) {
        assertThat(ShareSlot.renewalInterval(Duration.ofMillis(lockMs))).isEqualTo(Duration.ofMillis(intervalMs));
    }

    @Test
    void aRenewalNeverComesAfterHalfTheLock() {
        for (long lockMs = 1_000; lockMs <= 120_000; lockMs += 250) {
            Duration lock = Duration.ofMillis(lockMs);
            Duration interval = ShareSlot.renewalInterval(lock);
            assertThat(interval).as("lock %d ms", lockMs).isPositive().isLessThanOrEqualTo(lock.dividedBy(2));
            assertThat(lock.minus(interval)).as("what is left of a %d ms lock at a renewal", lockMs)
                    .isGreaterThanOrEqualTo(lockMs >= 10_000 ? lock.dividedBy(2)
                            : lockMs >= 2_000 ? Duration.ofMillis(Math.min(5_000, lockMs - 1_000))
                            : lock.dividedBy(2));
        }
    }
}
